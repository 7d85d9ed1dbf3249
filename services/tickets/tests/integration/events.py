"""Reading what the service published, and publishing order events into it, on the real bus."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from ticketing_common.bus import Bus
from ticketing_common.contracts import validate_envelope
from ticketing_common.events import (
    Envelope,
    OrderCancelled,
    OrderCreated,
    OrderStatus,
    OrderTicket,
    TicketRef,
)
from ticketing_harness.waiting import eventually

CENT = Decimal("0.01")


async def published(bus: Bus, event_type: str) -> list[Envelope]:
    """Every event of this type in the stream, oldest first, each checked against its contract."""
    subject = bus.catalog.subject_for(event_type)
    info = await bus.js.stream_info(bus.catalog.stream_name, subjects_filter=subject)
    count = (info.state.subjects or {}).get(subject, 0)
    if not count:
        return []
    sub = await bus.js.pull_subscribe(subject, stream=bus.catalog.stream_name)
    try:
        messages = await sub.fetch(count, timeout=2)
    finally:
        await sub.unsubscribe()
    for message in messages:
        validate_envelope(json.loads(message.data))
    return [Envelope.from_bytes(message.data) for message in messages]


async def wait_published(bus: Bus, event_type: str, count: int) -> list[Envelope]:
    """The events of this type once there are `count` of them."""

    async def enough() -> list[Envelope] | None:
        events = await published(bus, event_type)
        return events if len(events) >= count else None

    found = await eventually(enough, message=f"{count} {event_type} events were published")
    assert found is not None
    return found


async def processed(pool: asyncpg.Pool, envelope: Envelope) -> bool:
    """The service has committed its handling of this event."""
    found = await pool.fetchval("SELECT 1 FROM processed_events WHERE event_id = $1", envelope.id)
    return found is not None


async def enqueued(pool: asyncpg.Pool, event_type: str) -> int:
    """How many events of this type the service has committed to its outbox."""
    count = await pool.fetchval("SELECT count(*) FROM outbox WHERE event_type = $1", event_type)
    return int(count)


def order_created(ticket: dict[str, Any], order_id: UUID | None = None) -> OrderCreated:
    """A buyer's order for a ticket as the API returned it."""
    return OrderCreated(
        id=order_id or uuid4(),
        version=0,
        status=OrderStatus.CREATED,
        user_id=uuid4(),
        expires_at=datetime.now(UTC) + timedelta(minutes=15),
        ticket=OrderTicket(id=ticket["id"], price=Decimal(str(ticket["price"])).quantize(CENT)),
    )


def order_cancelled(order: OrderCreated, version: int = 1) -> OrderCancelled:
    """The cancel of an order."""
    return OrderCancelled(id=order.id, version=version, ticket=TicketRef(id=order.ticket.id))


async def send(bus: Bus, *events: OrderCreated | OrderCancelled) -> list[Envelope]:
    """Publish events as the orders service would."""
    envelopes = [Envelope.wrap(event, "orders") for event in events]
    for envelope in envelopes:
        await bus.publish(envelope)
    return envelopes
