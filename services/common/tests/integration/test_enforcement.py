"""The catalog enforced at runtime: only a service's own events leave it; readers are tolerant;
the recording switch; dead letters replayed to their consumer alone."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from ticketing_common.aggregate import Aggregate
from ticketing_common.bus import Bus
from ticketing_common.config import BusSettings, load_settings
from ticketing_common.envelope import Envelope
from ticketing_common.errors import ContractViolation
from ticketing_common.events import ExpirationComplete, TicketCreated
from ticketing_common.listeners import ConsumerGroup, DeliveryPolicy, Listener, Reject
from ticketing_common.outbox import enqueue
from ticketing_common.recording import read_records
from ticketing_common.unit_of_work import Database
from ticketing_harness.waiting import eventually

from .helpers import at_least, reached, ticket_created

FAST = DeliveryPolicy(ack_wait=2.0, max_deliver=3, retry_delays=(0.1,))


async def test_enqueue_refuses_an_event_the_service_may_not_publish(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        with pytest.raises(ContractViolation) as caught:
            await enqueue(conn, ticket_created(), service="orders")
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0
    assert str(caught.value) == (
        "ticket.created: orders may not publish it: the catalog's publisher is tickets"
    )


async def test_a_unit_of_work_with_a_foreign_event_rolls_back(pool: asyncpg.Pool) -> None:
    record = Aggregate()
    record.record(ExpirationComplete(order_id=uuid.uuid4()))
    counter = uuid.uuid4()
    with pytest.raises(ContractViolation, match="tickets may not publish it"):
        async with Database(pool, "tickets").unit_of_work() as uow:
            await uow.conn.execute("INSERT INTO counters (id) VALUES ($1)", counter)
            uow.track(record)
    assert await pool.fetchval("SELECT count(*) FROM counters WHERE id = $1", counter) == 0
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_the_producer_is_the_catalogs_publisher(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        envelope = await enqueue(conn, ticket_created(), service="tickets")
    assert envelope.producer == "tickets"
    assert Envelope.wrap(ExpirationComplete(order_id=uuid.uuid4())).producer == "expiration"


async def test_a_services_bus_refuses_another_services_event(nats_url: str) -> None:
    bus = await Bus.connect(nats_url, name="expiration", service="expiration")
    try:
        with pytest.raises(ContractViolation, match="expiration may not publish it"):
            await bus.publish(Envelope.wrap(ticket_created()))
        await bus.publish(Envelope.wrap(ExpirationComplete(order_id=uuid.uuid4())))
        info = await bus.js.stream_info(bus.catalog.stream_name)
        assert info.state.messages == 1
    finally:
        await bus.close()


async def test_a_consumer_ignores_properties_its_contract_does_not_know(bus: Bus) -> None:
    received: list[TicketCreated] = []

    async def handle(data: TicketCreated, envelope: Envelope) -> None:
        received.append(data)

    event = ticket_created()
    body = Envelope.wrap(event).to_wire()
    body["correlationId"] = str(uuid.uuid4())  # a newer producer's optional envelope field
    body["data"]["seat"] = "A1"  # and a newer optional data field
    group = ConsumerGroup(bus, [Listener("t-tolerant", TicketCreated, handle, FAST)])
    await group.start()
    try:
        await bus.publish_raw("events.ticket.created", json.dumps(body).encode(), body["id"])
        await eventually(lambda: reached(received, 1), message="the event was not applied")
    finally:
        await group.stop()
    assert received == [event]


async def test_the_recording_switch_records_published_and_consumed_messages(
    nats_url: str, tmp_path: Path
) -> None:
    settings = load_settings(
        BusSettings,
        service_name="tickets",
        jwt_key="k",
        nats_url=nats_url,
        record_events_dir=tmp_path,
    )
    bus = await Bus.for_service(settings, "tickets")
    received: list[TicketCreated] = []

    async def handle(data: TicketCreated, envelope: Envelope) -> None:
        received.append(data)

    group = ConsumerGroup(bus, [Listener("t-recorded", TicketCreated, handle, FAST)])
    await group.start()
    try:
        await bus.publish(Envelope.wrap(ticket_created()))
        await eventually(lambda: reached(received, 1), message="the event was not applied")
    finally:
        await group.stop()
        await bus.close()
    records = list(read_records(tmp_path))
    assert [(r.kind, r.service, r.subject) for r in records] == [
        ("published", "tickets", "events.ticket.created"),
        ("consumed", "tickets", "events.ticket.created"),
    ]
    assert records[1].consumer == "t-recorded"
    assert records[1].outcome == "applied"
    assert json.loads(records[0].body)["type"] == "ticket.created"


async def test_a_replayed_dead_letter_goes_to_its_consumer_alone_and_once(bus: Bus) -> None:
    handled: dict[str, list[uuid.UUID]] = {"t-first": [], "t-second": []}
    fixed = False

    def listener(durable: str) -> Listener[Any]:
        async def handle(data: TicketCreated, envelope: Envelope) -> None:
            if durable == "t-first" and not fixed:
                raise Reject("not yet fixed")
            handled[durable].append(data.id)

        return Listener(durable, TicketCreated, handle, FAST)

    event = ticket_created()
    group = ConsumerGroup(bus, [listener("t-first"), listener("t-second")])
    await group.start()
    try:
        await bus.publish(Envelope.wrap(event))
        [letter] = await eventually(
            lambda: at_least(bus.dead_letters(), 1), message="never dead-lettered"
        )
        assert (letter.consumer, letter.reason) == ("t-first", "rejected: not yet fixed")
        fixed = True
        replayed = await bus.replay_dead_letter(letter.seq)
        assert replayed.consumer == "t-first"
        await eventually(lambda: reached(handled["t-first"], 1), message="replay not applied")
        with pytest.raises(Exception, match="no dead letter"):
            await bus.replay_dead_letter(letter.seq)
        assert await bus.dead_letters() == []
        # The second consumer skipped the replay: it handled the event once, from the original.
        await eventually(
            lambda: _caught_up(bus, "t-second"), message="the second consumer did not settle"
        )
        assert handled == {"t-first": [event.id], "t-second": [event.id]}
    finally:
        await group.stop()


async def _caught_up(bus: Bus, durable: str) -> bool:
    info = await bus.js.consumer_info(bus.catalog.stream_name, durable)
    return bool(info.num_pending == 0 and info.num_ack_pending == 0)
