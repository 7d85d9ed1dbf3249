"""What `ticketing up` is asked for, the servers that calls for, and the checks made before
anything starts: both sides of the stack read them (`up` sends them to its supervisor)."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ticketing_harness.binaries import nginx_binary
from ticketing_harness.components import SERVICES, Server
from ticketing_harness.errors import HarnessError
from ticketing_harness.local.layout import Layout, ensure_reachable
from ticketing_harness.ports import ensure_free
from ticketing_harness.servers import (
    NatsServer,
    PostgresServer,
    RedisServer,
    ServerProcess,
    StripeServer,
)

_DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


@dataclass(frozen=True)
class UpOptions:
    """What `ticketing up` was asked for."""

    layout: Layout
    port: int = 8080
    fresh: bool = False
    expiration_seconds: int = 900
    tls: bool = False
    stripe_secret_key: str | None = None
    timeout: float = 60.0
    replicas: Mapping[str, int] = field(default_factory=dict)
    reload: bool = False
    fault_plan: Path | None = None
    broker_sync_always: bool = False

    def to_json(self) -> dict[str, Any]:
        """The options as JSON, for the supervisor process."""
        plan = os.fspath(self.fault_plan) if self.fault_plan else None
        return {**asdict(self), "layout": os.fspath(self.layout.root), "fault_plan": plan}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> UpOptions:
        plan = Path(raw["fault_plan"]) if raw.get("fault_plan") else None
        return cls(**{**raw, "layout": Layout(Path(raw["layout"])), "fault_plan": plan})


def preflight(options: UpOptions) -> None:
    """Fail before starting anything: missing programs, a busy port; then wipe data if fresh."""
    _require_services()
    nginx_binary()
    for server in servers_for(options).values():
        if server.default_binary() is None:
            raise HarnessError(f"{server.name} is not installed: {server.install_hint}")
    ensure_reachable(options.layout.root)
    _ensure_socket_fits(options.layout)
    ensure_free(options.port, "gateway")
    if options.fresh:
        shutil.rmtree(options.layout.data_dir, ignore_errors=True)


# The longest path a Unix socket may have (sun_path holds 108 bytes with the final zero).
_SOCKET_PATH_BYTES = 107


def _ensure_socket_fits(layout: Layout) -> None:
    """The supervisor listens on a Unix socket in the state directory, whose path is limited."""
    length = len(os.fsencode(layout.control_socket))
    if length > _SOCKET_PATH_BYTES:
        raise HarnessError(
            f"the state directory's path is too long for the stack's control socket ({length} "
            f"bytes, at most {_SOCKET_PATH_BYTES}); use a shorter --state-dir"
        )


def _require_services() -> None:
    """The services' packages are part of the environment (a plain `uv sync` once left them out)."""
    missing = [s.module for s in SERVICES if importlib.util.find_spec(s.module) is None]
    if missing:
        raise HarnessError(
            f"the services {', '.join(missing)} are not installed in this environment; "
            "run `uv sync --all-packages` (or `./dev up`, which does)"
        )


def servers_for(options: UpOptions) -> dict[Server, ServerProcess]:
    """The servers the stack runs, each in its directory of the state directory."""
    layout = options.layout
    servers: dict[Server, ServerProcess] = {
        Server.POSTGRES: PostgresServer(
            layout.server_dir(Server.POSTGRES),
            detached=True,
            # `fast` skips initdb's flush to disk (seconds on a busy machine); the overrides
            # keep the running server fully durable, so data survives as it should.
            fast=True,
            settings=_DURABLE,
        ),
        Server.NATS: NatsServer(
            layout.server_dir(Server.NATS), detached=True, sync_always=options.broker_sync_always
        ),
        Server.REDIS: RedisServer(layout.server_dir(Server.REDIS), detached=True),
    }
    if options.stripe_secret_key is None:
        servers[Server.STRIPE] = StripeServer(layout.server_dir(Server.STRIPE), detached=True)
    return servers
