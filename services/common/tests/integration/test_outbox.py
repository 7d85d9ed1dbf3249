"""The outbox relay and transactional consumers against real PostgreSQL and JetStream."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from nats.js.api import ConsumerInfo

from ticketing_common.bus import Bus
from ticketing_common.envelope import Envelope
from ticketing_common.errors import ContractViolation
from ticketing_common.events import TicketCreated
from ticketing_common.listeners import ConsumerGroup, DeliveryPolicy, Listener
from ticketing_common.outbox import OutboxRelay, enqueue
from ticketing_common.unit_of_work import Database, UnitOfWork
from ticketing_harness.servers import NatsServer
from ticketing_harness.waiting import eventually

from .helpers import reached, ticket_created


@pytest.fixture
async def relay(pool: asyncpg.Pool, bus: Bus) -> AsyncIterator[OutboxRelay]:
    relay = OutboxRelay(pool, bus, max_backoff=0.5)
    await relay.start()
    yield relay
    await relay.stop()


async def test_committed_change_is_published(
    pool: asyncpg.Pool, bus: Bus, relay: OutboxRelay
) -> None:
    event = ticket_created()
    async with pool.acquire() as conn, conn.transaction():
        envelope = await enqueue(conn, event, service="tickets")
    sub = await bus.js.pull_subscribe("events.ticket.created", stream=bus.catalog.stream_name)
    msgs = await eventually(lambda: sub.fetch(1, timeout=1), message="never published")
    assert Envelope.from_bytes(msgs[0].data) == envelope
    assert msgs[0].headers is not None and msgs[0].headers["Nats-Msg-Id"] == str(envelope.id)


async def test_rolled_back_change_publishes_nothing(
    pool: asyncpg.Pool, bus: Bus, relay: OutboxRelay
) -> None:
    with pytest.raises(RuntimeError):
        async with pool.acquire() as conn, conn.transaction():
            await enqueue(conn, ticket_created(), service="tickets")
            raise RuntimeError("the change failed")
    committed = ticket_created()
    async with pool.acquire() as conn, conn.transaction():
        await enqueue(conn, committed, service="tickets")
    await eventually(
        lambda: pool.fetchval("SELECT count(*) = 1 FROM outbox WHERE sent_at IS NOT NULL"),
        message="committed event not relayed",
    )
    info = await bus.js.stream_info(bus.catalog.stream_name)
    assert info.state.messages == 1
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 1


async def test_contract_breaking_event_is_refused_by_the_outbox(pool: asyncpg.Pool) -> None:
    envelope = Envelope.wrap(ticket_created())
    broken = envelope.model_copy(update={"data": {**envelope.data, "title": ""}})
    async with pool.acquire() as conn:
        with pytest.raises(ContractViolation, match="title"):
            from ticketing_common.outbox import enqueue_envelope

            await enqueue_envelope(conn, broken)
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_changes_made_while_broker_is_down_are_delivered_once_in_order(
    pool: asyncpg.Pool, private_nats_server: NatsServer
) -> None:
    bus = await Bus.connect(private_nats_server.url, name="outbox-test")
    relay = OutboxRelay(pool, bus, max_backoff=0.5)
    await relay.start()
    delivered: list[int] = []

    async def record(uow: UnitOfWork, data: TicketCreated) -> None:
        delivered.append(data.version)

    listener = Listener.transactional(
        durable="outbox-order",
        event=TicketCreated,
        db=Database(pool, "tickets"),
        handle=record,
        policy=DeliveryPolicy(ack_wait=2.0, max_deliver=50),
    )
    group = ConsumerGroup(bus, [listener])
    await group.start()
    try:
        private_nats_server.stop()
        for version in range(100):
            async with pool.acquire() as conn, conn.transaction():
                await enqueue(conn, ticket_created(version=version), service="tickets")
        assert await pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 100
        private_nats_server.start()
        await eventually(
            lambda: reached(delivered, 100), timeout=30, message="not all events delivered"
        )
    finally:
        await group.stop()
        await relay.stop()
        await bus.close()
    assert delivered == list(range(100))


async def test_duplicate_delivery_changes_nothing(pool: asyncpg.Pool, bus: Bus) -> None:
    counter = uuid.uuid4()
    await pool.execute("INSERT INTO counters (id) VALUES ($1)", counter)
    handled: list[uuid.UUID] = []

    async def increment(uow: UnitOfWork, data: TicketCreated) -> None:
        await uow.conn.execute("UPDATE counters SET value = value + 1 WHERE id = $1", counter)
        handled.append(data.id)

    listener = Listener.transactional(
        durable="dup-counter", event=TicketCreated, db=Database(pool, "tickets"), handle=increment
    )
    first, second = ticket_created(), ticket_created()
    envelope = Envelope.wrap(first)
    last = Envelope.wrap(second)
    subject = bus.catalog.subject_for("ticket.created")
    group = ConsumerGroup(bus, [listener])
    await group.start()
    try:
        # The same event arriving twice under different message ids, as after the dedup window.
        await bus.publish_raw(subject, envelope.to_bytes(), "copy-1")
        await bus.publish_raw(subject, envelope.to_bytes(), "copy-2")
        await bus.publish(last)
        await eventually(lambda: reached(handled, 2), message="events not handled")
        info = await eventually(
            lambda: _drained(bus, "dup-counter"), message="consumer did not ack everything"
        )
    finally:
        await group.stop()
    assert info is not None and info.num_ack_pending == 0
    assert handled == [first.id, second.id]
    assert await pool.fetchval("SELECT value FROM counters WHERE id = $1", counter) == 2


async def _drained(bus: Bus, durable: str) -> ConsumerInfo | None:
    info = await bus.js.consumer_info(bus.catalog.stream_name, durable)
    return info if info.num_pending == 0 and info.num_ack_pending == 0 else None
