"""Start-up times: each server cold and warm, and a whole `ticketing up` to all-ready."""

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
from ticketing_harness.testing.stacks import RunningStack, start_stack


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def server_startup() -> dict[str, dict[str, float]]:
    """{server: {cold, restart, stop}} in seconds, each in a throwaway directory."""
    kinds: list[Callable[[Path], ServerProcess]] = [
        NatsServer,
        lambda directory: PostgresServer(directory, fast=True),
        RedisServer,
        StripeServer,
    ]
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as base:
        Path(base).chmod(0o711)  # PostgreSQL runs as another user when we are root
        for make in kinds:
            server = make(Path(base) / "server")
            cold = timed(server.start)
            warm = timed(server.restart)
            stop = timed(server.stop)
            figures[server.name] = {
                "cold_s": round(cold, 2),
                "restart_s": round(warm, 2),
                "stop_s": round(stop, 2),
            }
            (Path(base) / "server").rename(Path(base) / server.name)
    return figures


def cold_stack(replicas: str = "") -> tuple[RunningStack, float]:
    """A stack started by `ticketing up --detach` in a new directory (with `--replicas` if
    given), and the seconds it took."""
    started = time.perf_counter()
    stack = start_stack(*(("--replicas", replicas) if replicas else ()))
    return stack, time.perf_counter() - started
