"""Serving a service app with uvicorn on a free port, in a thread, for an external fuzzer."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from ticketing_harness.waiting import wait_until

STARTUP_SECONDS = 60.0


@contextmanager
def uvicorn_server(app: FastAPI) -> Iterator[str]:
    """Serve `app` (lifespan included) on 127.0.0.1 and a free port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, ws="none", log_config=None, access_log=False))
    # Its own thread and event loop: requests are served while the test waits for the fuzzer.
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started or not thread.is_alive(), timeout=STARTUP_SECONDS)
        if not server.started:
            raise RuntimeError("the service did not start; its log says why")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)
        sock.close()
