"""Measure the event path: outbox write -> relay -> JetStream -> transactional handler.

Two phases on real servers, printed, not asserted:
- throughput: a burst of events from concurrent writers, timed until every one is handled;
- latency: events committed one at a time at a steady rate well below capacity,
  write-to-handler latency p50 and p99.
Run: ./dev bench  (or: uv run python benchmarks/bus_throughput.py --events 5000)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

import asyncpg

from ticketing_common.bus import Bus
from ticketing_common.db import apply_migrations, create_pool
from ticketing_common.events import TicketCreated
from ticketing_common.listeners import ConsumerGroup, Listener
from ticketing_common.outbox import OutboxRelay, enqueue
from ticketing_common.unit_of_work import Database, UnitOfWork
from ticketing_harness.servers import NatsServer, PostgresServer
from ticketing_harness.waiting import eventually


class Pipeline:
    """An outbox relay and one transactional consumer recording when each event arrived."""

    def __init__(self, pool: asyncpg.Pool, bus: Bus) -> None:
        self.pool = pool
        self.committed: dict[uuid.UUID, float] = {}
        self.latencies: list[float] = []
        listener = Listener.transactional(
            durable="bench", event=TicketCreated, db=Database(pool, "bench"), handle=self.handle
        )
        self.relay = OutboxRelay(pool, bus)
        self.consumers = ConsumerGroup(bus, [listener])

    async def handle(self, uow: UnitOfWork, data: TicketCreated) -> None:
        self.latencies.append(time.perf_counter() - self.committed[data.id])

    async def write(self) -> None:
        event = TicketCreated(
            id=uuid.uuid4(),
            version=0,
            title="Bench",
            price=Decimal("10.00"),
            user_id=uuid.uuid4(),
        )
        async with self.pool.acquire() as conn, conn.transaction():
            await enqueue(conn, event, service="tickets")
            # Before the commit: the handler may run before this coroutine resumes after it.
            self.committed[event.id] = time.perf_counter()

    async def handled(self, count: int) -> None:
        async def done() -> bool:
            return len(self.latencies) >= count

        await eventually(done, timeout=600, message="benchmark events not all handled")


async def throughput(pipeline: Pipeline, events: int, writers: int) -> None:
    async def writer() -> None:
        for _ in range(events // writers):
            await pipeline.write()

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(writers)))
    await pipeline.handled(events // writers * writers)
    elapsed = time.perf_counter() - started
    print(f"throughput:   {len(pipeline.latencies) / elapsed:,.0f} events/s end to end")
    print(f"              ({len(pipeline.latencies)} events, {writers} concurrent writers)")


async def latency(pipeline: Pipeline, events: int, rate: float) -> None:
    pipeline.latencies.clear()
    for _ in range(events):
        await pipeline.write()
        await asyncio.sleep(1 / rate)  # pacing the load, not waiting for a result
    await pipeline.handled(events)
    cuts = statistics.quantiles(pipeline.latencies, n=100)
    print(f"latency p50:  {cuts[49] * 1000:.1f} ms write -> handler ({events} at {rate:g}/s)")
    print(f"latency p99:  {cuts[98] * 1000:.1f} ms")


async def measure(nats_url: str, dsn: str, args: argparse.Namespace) -> None:
    pool = await create_pool(dsn, max_size=args.writers + 4)
    await apply_migrations(pool, None)
    bus = await Bus.connect(nats_url, name="bench")
    pipeline = Pipeline(pool, bus)
    await pipeline.relay.start()
    await pipeline.consumers.start()
    try:
        await throughput(pipeline, args.events, args.writers)
        await latency(pipeline, args.latency_events, args.rate)
    finally:
        await pipeline.consumers.stop()
        await pipeline.relay.stop()
        await bus.close()
        await pool.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5000, help="events in the burst")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--latency-events", type=int, default=300)
    parser.add_argument("--rate", type=float, default=50.0, help="events/s in the latency phase")
    parser.add_argument(
        "--no-fsync", action="store_true", help="PostgreSQL without fsync, as in the test suite"
    )
    args = parser.parse_args()
    print("PostgreSQL", "without fsync" if args.no_fsync else "with fsync on commit")
    with tempfile.TemporaryDirectory(prefix="ticketing-bench-") as tmp:
        root = Path(tmp)
        os.chmod(root, 0o711)  # as root, PostgreSQL runs as a user who must reach its data
        with (
            NatsServer(root / "nats") as nats_server,
            PostgresServer(root / "pg", fast=args.no_fsync) as pg,
        ):
            await measure(nats_server.url, await pg.create_database("bench"), args)


if __name__ == "__main__":
    asyncio.run(main())
