"""Propagation: from an order answered 201 to its ticket reserved in the tickets service."""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import psutil

from ticketing_harness.bench.figures import Latencies
from ticketing_harness.waiting import eventually

# How often the watcher asks the tickets database: the resolution of the figures. One
# reservation at a time takes milliseconds; under load, propagation takes hundreds, and a
# query every 2 ms would cost PostgreSQL a fifth of a core and the system its throughput.
POLL_SECONDS = 0.002
LOAD_POLL_SECONDS = 0.01
# What the watcher asks: the bench's own statement, told apart from the services' in a profile.
WATCH_QUERY = "SELECT id FROM tickets WHERE id = ANY($1) AND order_id IS NOT NULL"


class ReservationWatch:
    """Times each ticket from `reserved_at(ticket)` until tickets records its order."""

    def __init__(self, tickets_dsn: str, poll_seconds: float = POLL_SECONDS) -> None:
        self.tickets_dsn = tickets_dsn
        self.poll_seconds = poll_seconds
        self.pending: dict[uuid.UUID, float] = {}
        self.seconds: list[float] = []
        self.backend_pid = 0  # of the PostgreSQL backend answering the watcher
        self._task: asyncio.Task[None] | None = None

    def reserved(self, ticket_id: str) -> None:
        """The order on `ticket_id` has just been answered 201: start its clock."""
        self.pending[uuid.UUID(ticket_id)] = time.perf_counter()

    async def __aenter__(self) -> ReservationWatch:
        conn = await asyncpg.connect(self.tickets_dsn)
        self.backend_pid = conn.get_server_pid()
        self._task = asyncio.create_task(self._watch(conn))
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        try:
            await self.all_seen()
        finally:
            self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def all_seen(self) -> None:
        """Return once every ticket reserved so far is reserved in the tickets service too."""

        async def none_pending() -> bool:
            return not self.pending

        await eventually(
            none_pending, timeout=60, interval=self.poll_seconds, message="propagation"
        )

    def backend_cpu_seconds(self) -> float:
        """The CPU time the PostgreSQL backend answering the watcher has used so far."""
        times = psutil.Process(self.backend_pid).cpu_times()
        return float(times.user + times.system)

    @property
    def latencies(self) -> Latencies:
        return Latencies.of(self.seconds)

    async def _watch(self, conn: asyncpg.Connection) -> None:
        try:
            while True:
                if self.pending:
                    rows = await conn.fetch(WATCH_QUERY, list(self.pending))
                    now = time.perf_counter()
                    for row in rows:
                        self.seconds.append(now - self.pending.pop(row["id"]))
                await asyncio.sleep(self.poll_seconds)
        finally:
            await conn.close()
