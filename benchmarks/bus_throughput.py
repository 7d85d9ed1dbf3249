"""Measure the event path: outbox write -> relay -> JetStream -> transactional handler.

Prints events per second and commit-to-handler latency (p50, p99) on real servers.
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

from ticketing_common.bus import Bus
from ticketing_common.db import Connection, apply_migrations, create_pool
from ticketing_common.events import TicketCreated
from ticketing_common.listeners import ConsumerGroup, Listener
from ticketing_common.outbox import OutboxRelay, enqueue
from ticketing_harness.servers import NatsServer, PostgresServer
from ticketing_harness.waiting import eventually


async def measure(nats_url: str, dsn: str, events: int, writers: int, mode: str) -> None:
    pool = await create_pool(dsn, max_size=writers + 4)
    await apply_migrations(pool, None)
    bus = await Bus.connect(nats_url, name="bench")
    committed: dict[uuid.UUID, float] = {}
    latencies: list[float] = []

    async def handle(conn: Connection, data: TicketCreated) -> None:
        latencies.append(time.perf_counter() - committed[data.id])

    listener = Listener.transactional(
        durable="bench", event=TicketCreated, pool=pool, handle=handle
    )
    relay = OutboxRelay(pool, bus)
    consumers = ConsumerGroup(bus, [listener])
    await relay.start()
    await consumers.start()

    async def writer(count: int) -> None:
        for _ in range(count):
            event = TicketCreated(
                id=uuid.uuid4(),
                version=0,
                title="Bench",
                price=Decimal("10.00"),
                user_id=uuid.uuid4(),
            )
            async with pool.acquire() as conn, conn.transaction():
                await enqueue(conn, event, producer="bench")
            committed[event.id] = time.perf_counter()

    async def all_handled() -> bool:
        return len(latencies) >= events

    started = time.perf_counter()
    await asyncio.gather(*(writer(events // writers) for _ in range(writers)))
    await eventually(all_handled, timeout=300, message="benchmark events not all handled")
    elapsed = time.perf_counter() - started
    await consumers.stop()
    await relay.stop()
    await bus.close()
    await pool.close()

    cuts = statistics.quantiles(latencies, n=100)
    print(f"events:            {len(latencies)} ({writers} concurrent writers, {mode})")
    print(f"throughput:        {len(latencies) / elapsed:,.0f} events/s end to end")
    print(f"latency p50:       {cuts[49] * 1000:.1f} ms (commit -> handler)")
    print(f"latency p99:       {cuts[98] * 1000:.1f} ms")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument(
        "--no-fsync", action="store_true", help="PostgreSQL without fsync, as in the test suite"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ticketing-bench-") as tmp:
        root = Path(tmp)
        os.chmod(root, 0o711)  # as root, PostgreSQL runs as a user who must reach its data
        with (
            NatsServer(root / "nats") as nats_server,
            PostgresServer(root / "pg", fast=args.no_fsync) as pg,
        ):
            dsn = await pg.create_database("bench")
            mode = "no fsync" if args.no_fsync else "fsync on commit"
            await measure(nats_server.url, dsn, args.events, args.writers, mode)


if __name__ == "__main__":
    asyncio.run(main())
