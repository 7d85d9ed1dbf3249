"""The listening sockets of the services' processes, which the stack holds across restarts.

The stack keeps each process's listening socket open and hands it to each process started in
its place: the port never changes hands between restarts, and a connection made while the
process restarts waits in the socket's queue instead of being refused.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable

from ticketing_common.http import LISTEN_BACKLOG


def listening_socket(port: int = 0, *, besides: int = 0) -> socket.socket:
    """A socket listening on a local port as the service itself would listen: `port`, or a free
    one other than `besides` (the gateway's, chosen before nginx binds it, so the kernel may
    offer it again)."""
    listener = socket.create_server(("127.0.0.1", port), backlog=LISTEN_BACKLOG)
    if port or listener.getsockname()[1] != besides:
        return listener
    with listener:  # held while the kernel offers another
        return socket.create_server(("127.0.0.1", 0), backlog=LISTEN_BACKLOG)


class Listeners:
    """A listening socket per process name, each on a port of its own for good."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: dict[str, socket.socket] = {}
        self._ports: dict[str, int] = {}

    def listen(self, names: Iterable[str], besides: int) -> None:
        """A socket on a free port for each name, none of them on port `besides`."""
        with self._lock:
            for name in names:
                listener = self._sockets[name] = listening_socket(besides=besides)
                self._ports[name] = listener.getsockname()[1]

    def port(self, name: str) -> int:
        return self._ports[name]

    def listener(self, name: str) -> socket.socket:
        """The socket of `name`, listening again on its port if it was closed."""
        with self._lock:
            listener = self._sockets[name]
            if listener.fileno() == -1:
                listener = self._sockets[name] = listening_socket(self._ports[name])
            return listener

    def close(self, name: str) -> None:
        """Refuse connections to `name` (the gateway tries its replicas) until it is asked for."""
        with self._lock:
            self._sockets[name].close()

    def close_all(self) -> None:
        with self._lock:
            for listener in self._sockets.values():
                listener.close()
