"""Consumer throughput: events already in JetStream, handled by one transactional listener.

Two listeners shaped like the orders service's ticket replica, on real NATS and PostgreSQL:
`create` inserts a record per event; `update` applies versions 1..n of a set of records in
order, with the version rule checked in SQL (a gap is retried). The timer runs from the
consumer's start until every event has its processed-event record. Beside them, the whole
path (outbox row -> relay -> JetStream -> handler) from concurrent writers.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg

from ticketing_common.bus import Bus
from ticketing_common.db import apply_migrations, create_pool
from ticketing_common.envelope import Envelope
from ticketing_common.events import EventData, TicketCreated, TicketUpdated
from ticketing_common.listeners import ConsumerGroup, Listener, Retry
from ticketing_common.outbox import OutboxRelay, enqueue
from ticketing_common.unit_of_work import Database, UnitOfWork
from ticketing_harness.servers import NatsServer, PostgresServer
from ticketing_harness.waiting import eventually

REPLICA_TABLE = "CREATE TABLE IF NOT EXISTS replica (id uuid PRIMARY KEY, version int NOT NULL)"
PUBLISH_CHUNK = 500


async def record_created(uow: UnitOfWork, data: TicketCreated) -> None:
    """A new record; a repeat changes nothing."""
    await uow.conn.execute(
        "INSERT INTO replica (id, version) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        data.id,
        data.version,
    )


async def record_updated(uow: UnitOfWork, data: TicketUpdated) -> None:
    """Exactly the next version applies; an older one is a duplicate, a newer one waits."""
    stored = await uow.conn.fetchval("SELECT version FROM replica WHERE id = $1", data.id)
    if stored is not None and stored >= data.version:
        return
    updated = await uow.conn.fetchval(
        "UPDATE replica SET version = $2 WHERE id = $1 AND version = $2 - 1 RETURNING true",
        data.id,
        data.version,
    )
    if not updated:
        raise Retry(f"record {data.id} version {data.version} is ahead", delay=0.1)


def created_events(count: int) -> Iterator[EventData]:
    for _ in range(count):
        yield TicketCreated(
            id=uuid.uuid4(), version=0, title="Bench", price=Decimal("10"), user_id=uuid.uuid4()
        )


def updated_events(records: list[uuid.UUID], versions: int) -> Iterator[EventData]:
    """Versions 1..`versions` of each record, records interleaved as a busy stream has them."""
    user = uuid.uuid4()
    for version in range(1, versions + 1):
        for record in records:
            yield TicketUpdated(
                id=record,
                version=version,
                title="Bench",
                price=Decimal("10"),
                user_id=user,
                order_id=None,
            )


async def publish(bus: Bus, events: Iterator[EventData]) -> int:
    """Put events straight into their stream, in order; returns how many."""
    count = 0
    chunk: list[tuple[str, bytes, str]] = []
    for event in events:
        envelope = Envelope.wrap(event, catalog=bus.catalog)
        chunk.append(
            (bus.catalog.subject_for(envelope.type), envelope.to_bytes(), str(envelope.id))
        )
        if len(chunk) == PUBLISH_CHUNK:
            count += sum(await bus.publish_batch(chunk))
            chunk = []
    if chunk:
        count += sum(await bus.publish_batch(chunk))
    return count


async def processed(pool: asyncpg.Pool, durable: str, count: int) -> None:
    async def all_done() -> bool:
        done = await pool.fetchval(
            "SELECT count(*) FROM processed_events WHERE consumer = $1", durable
        )
        return bool(done >= count)

    await eventually(all_done, timeout=600, interval=0.05, message=f"{durable} not done")


async def listener_rate(pool: asyncpg.Pool, bus: Bus, listener: Listener[Any], count: int) -> float:
    """Events per second one consumer handles, from its start to its last processed record."""
    group = ConsumerGroup(bus, [listener])
    started = time.perf_counter()
    await group.start()
    try:
        await processed(pool, listener.durable, count)
    finally:
        await group.stop()
    return count / (time.perf_counter() - started)


async def pipeline_rate(pool: asyncpg.Pool, bus: Bus, events: int, writers: int) -> float:
    """Events per second from outbox writes, through the relay, to a handler's commit."""
    db = Database(pool, "tickets")
    listener = Listener.transactional(
        durable="bench-pipeline", event=TicketCreated, db=db, handle=record_created
    )
    relay, group = OutboxRelay(pool, bus), ConsumerGroup(bus, [listener])
    await relay.start()
    await group.start()

    async def writer() -> None:
        for event in created_events(events // writers):
            async with pool.acquire() as conn, conn.transaction():
                await enqueue(conn, event, service="tickets")

    try:
        started = time.perf_counter()
        await asyncio.gather(*(writer() for _ in range(writers)))
        await processed(pool, "bench-pipeline", events // writers * writers)
        return events // writers * writers / (time.perf_counter() - started)
    finally:
        await group.stop()
        await relay.stop()


async def _measure(nats_url: str, dsn: str, events: int) -> dict[str, float]:
    pool = await create_pool(dsn, max_size=12)
    await apply_migrations(pool, None)
    await pool.execute(REPLICA_TABLE)
    bus = await Bus.connect(nats_url, name="bench")
    db = Database(pool, "orders")
    try:
        await publish(bus, created_events(events))
        create = Listener.transactional(
            durable="bench-create", event=TicketCreated, db=db, handle=record_created
        )
        figures = {"create": await listener_rate(pool, bus, create, events)}

        records = [uuid.uuid4() for _ in range(events // 10)]
        await pool.executemany(
            "INSERT INTO replica (id, version) VALUES ($1, 0)", [(r,) for r in records]
        )
        await publish(bus, updated_events(records, 10))
        update = Listener.transactional(
            durable="bench-update", event=TicketUpdated, db=db, handle=record_updated
        )
        figures["update"] = await listener_rate(pool, bus, update, len(records) * 10)
        figures["outbox_to_handler"] = await pipeline_rate(pool, bus, events, writers=8)
        return {name: round(rate) for name, rate in figures.items()}
    finally:
        await bus.close()
        await pool.close()


def consumer_throughput(events: int) -> dict[str, float]:
    """Events/s of each listener on fresh NATS and PostgreSQL servers (fsync on, as `up`)."""
    with tempfile.TemporaryDirectory(prefix="ticketing-bench-") as tmp:
        root = Path(tmp)
        os.chmod(root, 0o711)  # as root, PostgreSQL runs as a user who must reach its data
        with NatsServer(root / "nats") as nats, PostgresServer(root / "pg") as pg:
            return asyncio.run(_measure_on(nats.url, pg, events))


async def _measure_on(nats_url: str, pg: PostgresServer, events: int) -> dict[str, float]:
    return await _measure(nats_url, await pg.create_database("bench"), events)
