"""TCP ports on the loopback interface: pick free ones, and say who holds a busy one."""

from __future__ import annotations

import errno
import socket

import psutil

from ticketing_harness.errors import HarnessError


class PortInUse(HarnessError):
    """A port the stack needs is already taken."""

    def __init__(self, port: int, purpose: str) -> None:
        holder = port_holder(port)
        held_by = f" by {holder}" if holder else ""
        super().__init__(
            f"port {port} ({purpose}) is already in use{held_by}; "
            f"stop it or choose another port with --port"
        )
        self.port = port


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now, chosen by the kernel."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def ensure_free(port: int, purpose: str, host: str = "127.0.0.1") -> None:
    """Raise PortInUse unless `port` can be bound on `host`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                raise PortInUse(port, purpose) from error
            raise


def port_holder(port: int) -> str | None:
    """'pid N (name)' of the process listening on `port`, when the system lets us see it."""
    try:
        connections = psutil.net_connections(kind="tcp")
    except psutil.Error:
        return None
    for connection in connections:
        if (
            connection.status == psutil.CONN_LISTEN
            and connection.laddr
            and connection.laddr.port == port
            and connection.pid is not None
        ):
            try:
                name = psutil.Process(connection.pid).name()
            except psutil.Error:
                name = "unknown"
            return f"pid {connection.pid} ({name})"
    return None
