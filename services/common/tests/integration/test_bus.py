"""Publishing and consuming through a real JetStream, with the ack rules of the listeners."""

from __future__ import annotations

import time

import pytest

from ticketing_common.bus import Bus, BusUnavailable
from ticketing_common.envelope import Envelope
from ticketing_common.errors import ContractViolation
from ticketing_common.events import TicketCreated
from ticketing_common.listeners import DeliveryPolicy, Listener, Reject, Retry
from ticketing_harness.ports import free_port
from ticketing_harness.waiting import eventually

from .helpers import at_least, consuming, reached, ticket_created

FAST = DeliveryPolicy(ack_wait=2.0, max_deliver=3, retry_delays=(0.1,))


async def test_published_event_reaches_the_handler(bus: Bus) -> None:
    received: list[TicketCreated] = []

    async def handle(data: TicketCreated, envelope: Envelope) -> None:
        received.append(data)

    event = ticket_created()
    async with consuming(bus, [Listener("t-created", TicketCreated, handle, FAST)]):
        await bus.publish(Envelope.wrap(event))
        await eventually(lambda: reached(received, 1), message="event never handled")
    assert received == [event]


async def test_retry_is_redelivered_after_its_delay(bus: Bus) -> None:
    seen: list[float] = []

    async def handle(data: TicketCreated, envelope: Envelope) -> None:
        seen.append(time.monotonic())
        if len(seen) == 1:
            raise Retry("version gap", delay=1.0)

    async with consuming(bus, [Listener("t-retry", TicketCreated, handle, FAST)]):
        await bus.publish(Envelope.wrap(ticket_created()))
        await eventually(lambda: reached(seen, 2), message="never redelivered")
    assert seen[1] - seen[0] >= 0.9


async def test_same_event_id_is_stored_once(bus: Bus) -> None:
    envelope = Envelope.wrap(ticket_created())
    first = await bus.publish(envelope)
    second = await bus.publish(envelope)
    assert not first.duplicate
    assert second.duplicate
    info = await bus.js.stream_info(bus.catalog.stream_name)
    assert info.state.messages == 1


async def test_contract_breaking_payload_is_refused_at_publish(bus: Bus) -> None:
    envelope = Envelope.wrap(ticket_created())
    broken = envelope.model_copy(update={"data": {**envelope.data, "price": 19.99}})
    with pytest.raises(ContractViolation, match="price"):
        await bus.publish(broken)
    info = await bus.js.stream_info(bus.catalog.stream_name)
    assert info.state.messages == 0


async def test_contract_breaking_message_is_dead_lettered_and_consumer_goes_on(bus: Bus) -> None:
    received: list[TicketCreated] = []

    async def handle(data: TicketCreated, envelope: Envelope) -> None:
        received.append(data)

    good = ticket_created()
    envelope = Envelope.wrap(ticket_created())
    broken = envelope.model_copy(update={"data": {**envelope.data, "price": -1}})
    subject = bus.catalog.subject_for("ticket.created")
    async with consuming(bus, [Listener("t-poison", TicketCreated, handle, FAST)]):
        # A producer that bypasses validation: the consumer must still refuse it.
        await bus.publish_raw(subject, broken.to_bytes(), str(broken.id))
        await bus.publish_raw(subject, b"not json at all", "garbage-1")
        await bus.publish(Envelope.wrap(good))
        await eventually(
            lambda: reached(received, 1), message="valid event after poison not handled"
        )
        letters = await eventually(
            lambda: at_least(bus.dead_letters("t-poison"), 2), message="no dead letters"
        )
    assert received == [good]
    assert all(letter.reason.startswith("contract") for letter in letters)
    assert {letter.payload for letter in letters} == {broken.to_bytes(), b"not json at all"}


async def test_failing_handler_is_dead_lettered_after_max_deliveries(bus: Bus) -> None:
    attempts: list[int] = []

    async def handle(data: TicketCreated, envelope: Envelope) -> None:
        attempts.append(1)
        raise RuntimeError("boom")

    async with consuming(bus, [Listener("t-failing", TicketCreated, handle, FAST)]):
        await bus.publish(Envelope.wrap(ticket_created()))
        letters = await eventually(
            lambda: at_least(bus.dead_letters("t-failing"), 1), message="never dead-lettered"
        )
    assert len(attempts) == FAST.max_deliver
    assert letters[0].deliveries == FAST.max_deliver
    assert "RuntimeError: boom" in letters[0].reason


async def test_rejected_event_is_dead_lettered_at_once(bus: Bus) -> None:
    async def handle(data: TicketCreated, envelope: Envelope) -> None:
        raise Reject("ticket belongs to nobody")

    async with consuming(bus, [Listener("t-reject", TicketCreated, handle, FAST)]):
        await bus.publish(Envelope.wrap(ticket_created()))
        letters = await eventually(
            lambda: at_least(bus.dead_letters("t-reject"), 1), message="never dead-lettered"
        )
    assert letters[0].deliveries == 1
    assert letters[0].reason == "rejected: ticket belongs to nobody"


async def test_an_unreachable_bus_is_named_without_its_credentials() -> None:
    port = free_port()
    with pytest.raises(BusUnavailable) as unreachable:
        await Bus.connect(f"nats://ticketing:s3cret@127.0.0.1:{port}", name="test", timeout=0.5)
    assert f"nats://127.0.0.1:{port}" in str(unreachable.value)
    assert "s3cret" not in str(unreachable.value)
