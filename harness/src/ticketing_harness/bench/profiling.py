"""`--profile`: where a reservation's time goes, per process, taken while reservations run.

Around one phase it samples every service process with py-spy, and counts what each part
of the stack did: statements and transactions per database (pg_stat_statements), NATS
messages per connection and per consumer, Redis commands, and log lines per process.
Divided by the reservations of the phase, they say what one reservation costs.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ticketing_harness.bench.frames import Frames
from ticketing_harness.bench.memory import process_counters
from ticketing_harness.bench.messages import BrokerCounts, broker_counts, monitor_url, stack_redis
from ticketing_harness.bench.propagation import WATCH_QUERY
from ticketing_harness.bench.sampling import Samplers, py_spy
from ticketing_harness.bench.statements import Statement, Statements
from ticketing_harness.components import SERVICE_NAMES
from ticketing_harness.local.layout import Layout
from ticketing_harness.local.replicas import service_of
from ticketing_harness.local.state import StackState
from ticketing_harness.testing.stacks import RunningStack

TOP_FRAMES = 15
# Statements run less often than this per reservation (one-off ones) are left out.
OFTEN = 0.01
# Statements that are the bench's, not a service's: its watcher, and the profile's readings.
BENCH = "bench"
ADMIN_DATABASE = "postgres"
# asyncpg's pool resets a connection it takes back with one query of four statements:
# these three and `RESET ALL`.
RESET_COMPANIONS = frozenset({"SELECT pg_advisory_unlock_all()", "CLOSE ALL", "UNLISTEN *"})


@dataclass
class _Reading:
    statements: Statements
    brokers: BrokerCounts
    processes: dict[str, dict[str, float]]
    log_sizes: dict[str, int] = field(default_factory=dict)


class Profile:
    """Samples and counters taken from entering the block until leaving it."""

    def __init__(
        self, stack: RunningStack, directory: Path, stem: str, bench_backends: Collection[int]
    ) -> None:
        """`bench_backends`: the PostgreSQL backends of the bench's own connections."""
        self.stack = stack
        self.bench_backends = bench_backends
        self.layout = Layout(stack.state_dir)
        self.access = stack.access()
        self.monitor = monitor_url(self.layout)
        self.redis = stack_redis(self.layout, self.access)
        spy = py_spy()
        self.samplers = None if spy is None else Samplers(spy, self._pids(), directory, stem)
        self.frames: dict[str, Frames] = {}
        self._before: _Reading | None = None
        self._ran: _Reading | None = None
        self._log_lines: dict[str, int] = {}

    def _pids(self) -> dict[str, int]:
        state = StackState.load(self.layout.state_file)
        assert state is not None, "the stack runs"
        return {c.name: c.pid for c in state.components if service_of(c.name) in SERVICE_NAMES}

    async def _read(self) -> _Reading:
        return _Reading(
            await Statements.read(self.access.admin_database()),
            await broker_counts(self.monitor, self.redis),
            process_counters(self.stack.state_dir, self.bench_backends),
            {
                name: self.layout.log_path(name).stat().st_size
                for name in self._pids()
                if self.layout.log_path(name).exists()
            },
        )

    async def __aenter__(self) -> Profile:
        self._before = await self._read()
        if self.samplers is not None:
            self.samplers.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._before is not None
        if self.samplers is not None:
            self.frames = self.samplers.stop()
        after = await self._read()
        self._ran = _Reading(
            after.statements.since(self._before.statements),
            after.brokers.since(self._before.brokers),
            {
                name: {
                    c: n - self._before.processes.get(name, {}).get(c, 0) for c, n in now.items()
                }
                for name, now in after.processes.items()
            },
        )
        self._log_lines = {
            name: _lines_from(self.layout.log_path(name), offset)
            for name, offset in self._before.log_sizes.items()
        }

    def figures(self, reservations: int, cpu_ms: Mapping[str, float]) -> dict[str, Any]:
        """Every count per reservation, JSON-ready; `cpu_ms`: each process's CPU per reservation."""
        assert self._ran is not None, "the profiled block has run"
        per = 1 / reservations

        def each(counts: Mapping[str, int]) -> dict[str, float]:
            return {name: round(n * per, 2) for name, n in sorted(counts.items())}

        brokers = self._ran.brokers
        return {
            "reservations": reservations,
            "counters": {
                name: {counter: round(n * per, 3) for counter, n in counted.items()}
                for name, counted in sorted(
                    self._ran.processes.items(),
                    key=lambda kv: -kv[1]["user_ms"] - kv[1]["system_ms"],
                )
                if any(counted.values())
            },
            "processes": {
                name: process_figures(frames, cpu_ms.get(name, 0.0))
                for name, frames in sorted(self.frames.items(), key=lambda kv: -kv[1].samples)
                if frames.samples
            },
            "databases": database_figures(self._ran.statements, per),
            "nats": {
                "sent": each(brokers.sent),
                "received": each(brokers.received),
                "delivered": each(brokers.delivered),
                "acked": each(brokers.acked),
                "stored": each(brokers.stored),
            },
            "redis": each(brokers.redis),
            "log_lines": each({n: c for n, c in self._log_lines.items() if c}),
            "flame_graphs": sorted(str(p) for p in getattr(self.samplers, "outputs", {}).values()),
        }


def _round_trips(statements: Collection[Statement]) -> int:
    """Each statement is a round trip, but for asyncpg's reset query: four statements in one."""
    sent_with_reset = {s.query: s.calls for s in statements if s.query in RESET_COMPANIONS}
    return sum(s.calls for s in statements) - sum(sent_with_reset.values())


def _lines_from(path: Path, offset: int) -> int:
    with path.open("rb") as log:
        log.seek(offset)
        return sum(chunk.count(b"\n") for chunk in iter(lambda: log.read(1 << 20), b""))


def process_figures(frames: Frames, cpu_ms: float) -> dict[str, Any]:
    """A process's samples and its top functions, by self and by cumulative share."""

    def rows(by_total: bool) -> list[dict[str, Any]]:
        return [
            {
                "frame": share.frame,
                "self": round(share.self_share, 4),
                "total": round(share.total_share, 4),
                "ms": round((share.total_share if by_total else share.self_share) * cpu_ms, 3),
            }
            for share in frames.top(TOP_FRAMES, by_total=by_total)
        ]

    return {
        "samples": frames.samples,
        "cpu_ms": cpu_ms,
        "parts": {part: round(share, 4) for part, share in frames.parts().items()},
        "packages": {name: round(share, 4) for name, share in frames.by_package().items()},
        "top_self": rows(False),
        "top_total": rows(True),
    }


def database_figures(ran: Statements, per: float) -> dict[str, Any]:
    """Statements per reservation in each database, the bench's own watcher apart."""
    grouped: dict[str, list[Statement]] = {}
    for database, statements in ran.per_database().items():
        if database == ADMIN_DATABASE:
            continue
        for statement in statements:
            owner = BENCH if statement.query == WATCH_QUERY else database
            grouped.setdefault(owner, []).append(statement)
    return {
        database: {
            "statements": round(sum(s.calls for s in statements) * per, 2),
            "round_trips": round(_round_trips(statements) * per, 2),
            "transactions": round(sum(s.calls for s in statements if s.query == "BEGIN") * per, 2),
            "server_ms": round(sum(s.exec_ms for s in statements) * per, 3),
            "top": [
                {
                    "query": " ".join(s.query.split()),
                    "calls": round(s.calls * per, 3),
                    "mean_ms": round(s.exec_ms / s.calls, 4),
                }
                for s in statements
                if s.calls * per >= OFTEN
            ],
        }
        for database, statements in grouped.items()
    }
