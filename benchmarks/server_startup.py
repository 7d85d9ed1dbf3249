"""Print how long each server takes to start cold (fresh directory) and warm (restart).

Run: ./dev bench  (or: uv run python benchmarks/server_startup.py). Printed, not asserted.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ticketing_harness.servers import (
    NatsServer,
    PostgresServer,
    RedisServer,
    ServerProcess,
    StripeServer,
)


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    """Start, restart and stop each server in a throwaway directory."""
    kinds: list[Callable[[Path], ServerProcess]] = [
        NatsServer,
        lambda directory: PostgresServer(directory, fast=True),
        RedisServer,
        StripeServer,
    ]
    with tempfile.TemporaryDirectory() as base:
        Path(base).chmod(0o711)  # PostgreSQL runs as another user when we are root
        for make in kinds:
            server = make(Path(base) / "server")
            cold = _timed(server.start)
            warm = _timed(server.restart)
            stop = _timed(server.stop)
            print(f"{server.name:<12} cold {cold:5.2f}s  restart {warm:5.2f}s  stop {stop:5.2f}s")
            (Path(base) / "server").rename(Path(base) / server.name)


if __name__ == "__main__":
    main()
