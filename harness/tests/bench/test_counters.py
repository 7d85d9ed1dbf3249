"""Each process's counters, read from the operating system: CPU, system calls, wakeups."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from ticketing_harness.bench.memory import cpu_seconds, process_counters
from ticketing_harness.servers import PostgresServer

WRITES = 500
# Writes WRITES times to /dev/null, uses 50 ms of CPU, says so, then waits to be stopped.
WRITER = f"""
import os, sys, time
fd = os.open(os.devnull, os.O_WRONLY)
for _ in range({WRITES}):
    os.write(fd, b"x")
while time.process_time() < 0.05:
    pass
print("done", flush=True)
sys.stdin.read()
"""


def _state(directory: Path, components: dict[str, int]) -> Path:
    components_list = [{"name": name, "pid": pid} for name, pid in components.items()]
    (directory / "state.json").write_text(json.dumps({"components": components_list}))
    return directory


@pytest.fixture
def writer() -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline() == "done\n"
    yield process
    process.communicate("")


def test_a_process_s_writes_and_cpu_are_counted(
    tmp_path: Path, writer: subprocess.Popen[str]
) -> None:
    counters = process_counters(_state(tmp_path, {"orders": writer.pid}))["orders"]
    assert counters["write_calls"] >= WRITES
    assert counters["user_ms"] + counters["system_ms"] >= 40


async def test_postgres_backends_are_counted_by_database_and_the_bench_s_apart(
    tmp_path: Path, private_postgres_server: PostgresServer
) -> None:
    server = private_postgres_server
    dsn = await server.create_database("orders")
    service, bench = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
    try:
        for _ in range(20):
            await service.fetchval("SELECT 1")
            await bench.fetchval("SELECT 1")
        assert server.pid is not None
        state = _state(tmp_path, {"postgres": server.pid})
        counters = process_counters(state, bench_backends={bench.get_server_pid()})
        leaving_out = cpu_seconds(state, leave_out={bench.get_server_pid()})["postgres"]
    finally:
        await service.close()
        await bench.close()
    assert counters["postgres orders"]["wakeups"] >= 20  # it waited for each statement
    assert counters["postgres bench"]["wakeups"] >= 20
    assert "postgres server" in counters
    whole = sum(counters["postgres"][c] for c in ("user_ms", "system_ms")) / 1000
    bench_cpu = sum(counters["postgres bench"][c] for c in ("user_ms", "system_ms")) / 1000
    assert leaving_out == pytest.approx(whole - bench_cpu, abs=0.02)
