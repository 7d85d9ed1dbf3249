"""For service tests on the real bus: inject events, read what was published, follow consumers."""

from __future__ import annotations

import json

from nats.js.api import ConsumerInfo

from ticketing_common.bus import Bus
from ticketing_common.envelope import Envelope
from ticketing_common.events import EventData
from ticketing_harness.waiting import eventually


async def publish(bus: Bus, event: EventData) -> int:
    """Publish as its producer (the catalog's) would; returns the stream sequence."""
    return (await bus.publish(Envelope.wrap(event, catalog=bus.catalog))).seq


async def published(bus: Bus, event_type: str) -> list[Envelope]:
    """Every event of a type in the stream, oldest first, each checked against its contract."""
    subject = bus.catalog.subject_for(event_type)
    info = await bus.js.stream_info(bus.catalog.stream_name, subjects_filter=subject)
    count = (info.state.subjects or {}).get(subject, 0)
    if not count:
        return []
    sub = await bus.js.pull_subscribe(subject, stream=bus.catalog.stream_name)
    try:
        msgs = await sub.fetch(count, timeout=2)
    finally:
        await sub.unsubscribe()
    for msg in msgs:
        bus.catalog.validate_envelope(json.loads(msg.data))
    return [Envelope.from_bytes(msg.data, bus.catalog) for msg in msgs]


async def wait_published(bus: Bus, event_type: str, count: int) -> list[Envelope]:
    """The events of a type, once there are at least `count` of them."""

    async def enough() -> list[Envelope] | None:
        events = await published(bus, event_type)
        return events if len(events) >= count else None

    found = await eventually(enough, message=f"{count} {event_type} events were not published")
    assert found is not None
    return found


async def consumer_info(bus: Bus, durable: str) -> ConsumerInfo:
    info: ConsumerInfo = await bus.js.consumer_info(bus.catalog.stream_name, durable)
    return info


async def settled(bus: Bus, durable: str, seq: int) -> None:
    """Wait until the consumer has acked (or terminated) everything up to stream sequence `seq`."""

    async def done() -> bool:
        floor = (await consumer_info(bus, durable)).ack_floor
        return floor is not None and (floor.stream_seq or 0) >= seq

    await eventually(done, message=f"{durable} never settled message {seq}")


async def redelivered(bus: Bus, durable: str) -> None:
    """Wait until the consumer has been handed a message again (a Retry or a failure)."""

    async def again() -> bool:
        return ((await consumer_info(bus, durable)).num_redelivered or 0) > 0

    await eventually(again, message=f"{durable} never redelivered")


async def caught_up(bus: Bus, durable: str) -> bool:
    """For `eventually`: the consumer has received and acknowledged every message it has."""
    info = await consumer_info(bus, durable)
    delivered = info.delivered.stream_seq if info.delivered else 0
    return bool(delivered) and info.num_pending == 0 and info.num_ack_pending == 0
