"""`contracts check --live`: a broker configured otherwise than declared is reported."""

from __future__ import annotations

import nats
import pytest
from nats.js.api import ConsumerConfig, StreamConfig

from ticketing_common.bus import Bus
from ticketing_common.contracts import load_catalog
from ticketing_common.jetstream import stream_configs
from ticketing_common.listeners import Consumer
from ticketing_harness.contracts.agreement import inspect_code
from ticketing_harness.contracts.live import broker_problems
from ticketing_harness.events.connection import tool_bus

pytestmark = pytest.mark.contract

CATALOG = load_catalog()
LISTENERS = inspect_code(CATALOG).listeners


async def test_a_declared_broker_has_no_problem(nats_url: str) -> None:
    bus = await Bus.connect(nats_url, name="test")  # creates the streams as declared
    try:
        for declared in LISTENERS:
            await Consumer(bus, declared.listener).subscribe()
        assert await broker_problems(bus, LISTENERS) == []
    finally:
        await bus.close()


async def test_drifted_streams_and_consumers_are_named(nats_url: str) -> None:
    connection = await nats.connect(nats_url)
    js = connection.jetstream()
    events, _ = stream_configs(CATALOG)
    await js.add_stream(
        StreamConfig(name=events.name, subjects=events.subjects, duplicate_window=30)
    )
    await js.add_consumer(
        "EVENTS",
        ConsumerConfig(
            durable_name="orders-ticket-created",
            filter_subject="events.ticket.created",
            ack_wait=10,
            max_deliver=3,
        ),
    )
    await js.add_consumer("EVENTS", ConsumerConfig(durable_name="forgotten", ack_wait=10))
    await connection.close()
    async with tool_bus(nats_url) as bus:
        problems = [str(p) for p in await broker_problems(bus, LISTENERS)]
    assert "stream EVENTS: duplicate_window: is 30.0 on the server, declared 120.0" in problems
    assert "stream DEADLETTER: (stream): missing on the server" in problems
    assert (
        "consumer EVENTS/orders-ticket-created: max_deliver: is 3 on the server, declared 60"
        in problems
    )
    assert "consumer EVENTS/forgotten: (consumer): not declared by any listener" in problems
    assert (
        "consumer EVENTS/tickets-order-created: (consumer): missing on the server: "
        "is tickets running?"
    ) in problems
