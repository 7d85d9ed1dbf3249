"""A transactional consumer applies each fetched batch in one unit of work, keeping every rule."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import asyncpg

from ticketing_common.bus import Bus
from ticketing_common.envelope import Envelope
from ticketing_common.events import TicketUpdated
from ticketing_common.listeners import DeliveryPolicy, Listener, Retry
from ticketing_common.unit_of_work import Database, UnitOfWork
from ticketing_harness.waiting import eventually

from .helpers import consuming

POLICY = DeliveryPolicy(ack_wait=5.0, max_deliver=5, retry_delays=(0.1,), batch=32)


def update(record: uuid.UUID, version: int) -> TicketUpdated:
    return TicketUpdated(
        id=record,
        version=version,
        title="Seat",
        price=Decimal("10"),
        user_id=record,
        order_id=None,
    )


async def publish_all(bus: Bus, events: Sequence[TicketUpdated]) -> list[Envelope]:
    """Every event in the stream before any consumer starts, so they are fetched in batches."""
    envelopes = [Envelope.wrap(event) for event in events]
    subject = bus.catalog.subject_for("ticket.updated")
    stored = await bus.publish_batch([(subject, e.to_bytes(), str(e.id)) for e in envelopes])
    assert all(stored)
    return envelopes


def listener(pool: asyncpg.Pool, durable: str, handle: Any) -> Listener[TicketUpdated]:
    return Listener.transactional(
        durable=durable,
        event=TicketUpdated,
        db=Database(pool, "tickets"),
        handle=handle,
        policy=POLICY,
    )


async def log_applied(uow: UnitOfWork, data: TicketUpdated) -> None:
    await uow.conn.execute(
        "INSERT INTO applied (record, version) VALUES ($1, $2)", data.id, data.version
    )


async def applied(pool: asyncpg.Pool, count: int) -> list[asyncpg.Record] | None:
    rows = await pool.fetch("SELECT record, version, txid FROM applied ORDER BY seq")
    return rows if len(rows) >= count else None


async def acked(bus: Bus, durable: str, count: int) -> int | None:
    info = await bus.js.consumer_info(bus.catalog.stream_name, durable)
    return info.ack_floor.stream_seq if info.ack_floor.stream_seq >= count else None


async def test_a_batch_commits_in_one_transaction(pool: asyncpg.Pool, bus: Bus) -> None:
    await publish_all(bus, [update(uuid.uuid4(), 1) for _ in range(64)])

    async with consuming(bus, [listener(pool, "batch-tx", log_applied)]):
        rows = await eventually(lambda: applied(pool, 64), message="not all applied")
        await eventually(lambda: acked(bus, "batch-tx", 64), message="not all acked")

    assert rows is not None and len(rows) == 64
    assert len({row["txid"] for row in rows}) < 64 / 4


async def test_nothing_is_acked_before_the_batch_commits(pool: asyncpg.Pool, bus: Bus) -> None:
    await publish_all(bus, [update(uuid.uuid4(), 1) for _ in range(10)])
    reached_last, release = asyncio.Event(), asyncio.Event()
    seen = 0

    async def hold_the_last(uow: UnitOfWork, data: TicketUpdated) -> None:
        nonlocal seen
        seen += 1
        if seen == 10:
            reached_last.set()
            await release.wait()
        await log_applied(uow, data)

    async with consuming(bus, [listener(pool, "batch-ack", hold_the_last)]):
        await asyncio.wait_for(reached_last.wait(), timeout=10)
        info = await bus.js.consumer_info(bus.catalog.stream_name, "batch-ack")
        assert info.num_ack_pending == 10
        assert info.ack_floor.stream_seq == 0
        release.set()
        assert await eventually(lambda: acked(bus, "batch-ack", 10), message="never acked") == 10
    assert await pool.fetchval("SELECT count(DISTINCT txid) FROM applied") == 1


async def test_a_failing_message_leaves_the_others_applied_exactly_once(
    pool: asyncpg.Pool, bus: Bus
) -> None:
    events = [update(uuid.uuid4(), 1) for _ in range(20)]
    await publish_all(bus, events)
    failing = events[7].id
    failures: list[uuid.UUID] = []

    async def fail_once(uow: UnitOfWork, data: TicketUpdated) -> None:
        await log_applied(uow, data)
        if data.id == failing and not failures:
            failures.append(data.id)
            raise RuntimeError("the database blinked")

    async with consuming(bus, [listener(pool, "batch-fail", fail_once)]):
        await eventually(lambda: acked(bus, "batch-fail", 20), message="not all acked")
    rows = await pool.fetch("SELECT record FROM applied")
    assert failures == [failing]
    assert sorted(row["record"] for row in rows) == sorted(event.id for event in events)
    assert (
        await pool.fetchval("SELECT count(*) FROM processed_events WHERE consumer = 'batch-fail'")
        == 20
    )


async def test_versions_apply_in_stream_order_per_record(pool: asyncpg.Pool, bus: Bus) -> None:
    records = [uuid.uuid4() for _ in range(5)]
    await pool.executemany("INSERT INTO counters (id) VALUES ($1)", [(r,) for r in records])
    await publish_all(bus, [update(record, v) for v in range(1, 9) for record in records])
    gaps: list[tuple[uuid.UUID, int]] = []

    async def next_version_only(uow: UnitOfWork, data: TicketUpdated) -> None:
        updated = await uow.conn.fetchval(
            "UPDATE counters SET version = $2 WHERE id = $1 AND version = $2 - 1 RETURNING true",
            data.id,
            data.version,
        )
        if not updated:
            gaps.append((data.id, data.version))
            raise Retry("a version is missing", delay=0.1)
        await log_applied(uow, data)

    async with consuming(bus, [listener(pool, "batch-order", next_version_only)]):
        rows = await eventually(lambda: applied(pool, 40), message="not all versions applied")
    assert rows is not None
    assert gaps == []
    for record in records:
        assert [row["version"] for row in rows if row["record"] == record] == list(range(1, 9))
    assert await pool.fetchval("SELECT min(version) FROM counters") == 8


async def test_an_unreadable_message_in_a_batch_is_dead_lettered_alone(
    pool: asyncpg.Pool, bus: Bus
) -> None:
    events = [update(uuid.uuid4(), 1) for _ in range(6)]
    await publish_all(bus, events[:3])
    subject = bus.catalog.subject_for("ticket.updated")
    await bus.publish_raw(subject, b"not json at all", "garbage-batch")
    await publish_all(bus, events[3:])

    async with consuming(bus, [listener(pool, "batch-poison", log_applied)]):
        rows = await eventually(lambda: applied(pool, 6), message="the good events not applied")
        letters = await eventually(
            lambda: bus.dead_letters("batch-poison"), message="no dead letter"
        )
    assert rows is not None
    assert [row["record"] for row in rows] == [event.id for event in events]
    assert [letter.payload for letter in letters] == [b"not json at all"]


async def test_copies_of_an_event_in_one_batch_apply_once(pool: asyncpg.Pool, bus: Bus) -> None:
    copied = update(uuid.uuid4(), 1)
    [envelope] = await publish_all(bus, [copied])
    subject = bus.catalog.subject_for("ticket.updated")
    # The same event again under other message ids, as after the broker's dedup window.
    for copy in range(3):
        await bus.publish_raw(subject, envelope.to_bytes(), f"copy-{copy}")
    await publish_all(bus, [update(uuid.uuid4(), 1)])

    async with consuming(bus, [listener(pool, "batch-copies", log_applied)]):
        await eventually(lambda: acked(bus, "batch-copies", 5), message="not all acked")
    rows = await pool.fetch("SELECT record, txid FROM applied ORDER BY seq")
    assert len(rows) == 2
    assert [row["record"] for row in rows].count(copied.id) == 1
    assert len({row["txid"] for row in rows}) == 1
