"""Helpers of the orders tests: signed-in users, tickets in the replica, events on the bus."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
from nats.js.api import ConsumerInfo

from orders.config import Settings
from ticketing_common.auth import AuthConfig, session_cookie_for
from ticketing_common.bus import Bus
from ticketing_common.contracts import validate_envelope
from ticketing_common.db import Connection
from ticketing_common.events import (
    Envelope,
    EventData,
    PaymentCreated,
    TicketCreated,
    TicketUpdated,
)
from ticketing_harness.waiting import eventually

JWT_KEY = "orders-test-signing-key"


def signed_in(settings: Settings, user_id: UUID | None = None) -> dict[str, str]:
    """Request headers carrying a real session cookie of `user_id` (a new user if None)."""
    cookies = session_cookie_for(
        str(user_id or uuid.uuid4()), "test@test.com", AuthConfig.from_settings(settings)
    )
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}


def ticket_created(*, title: str = "Concert", price: str = "20.00") -> TicketCreated:
    return TicketCreated(
        id=uuid.uuid4(), version=0, title=title, price=Decimal(price), user_id=uuid.uuid4()
    )


def ticket_updated(
    ticket: TicketCreated, version: int, *, title: str | None = None, price: str | None = None
) -> TicketUpdated:
    return TicketUpdated(
        id=ticket.id,
        version=version,
        title=title or ticket.title,
        price=Decimal(price) if price else ticket.price,
        user_id=ticket.user_id,
        order_id=None,
    )


async def publish(bus: Bus, event: EventData, producer: str = "tickets") -> int:
    """Publish as its producer would; returns the stream sequence."""
    return (await bus.publish(Envelope.wrap(event, producer))).seq


async def replica_version(db: Connection, ticket_id: UUID) -> int | None:
    version = await db.fetchval("SELECT version FROM tickets WHERE id = $1", ticket_id)
    return None if version is None else int(version)


async def list_ticket(bus: Bus, db: Connection, **fields: str) -> TicketCreated:
    """A ticket the tickets service announced and the replica has recorded."""
    ticket = ticket_created(**fields)
    await publish(bus, ticket)

    async def replicated() -> bool:
        return await replica_version(db, ticket.id) is not None

    await eventually(replicated, message="ticket never reached the replica")
    return ticket


async def place_order(
    client: httpx.AsyncClient, headers: dict[str, str], ticket_id: UUID
) -> dict[str, Any]:
    """POST /api/orders, which must succeed; returns the order as answered."""
    response = await client.post("/api/orders", json={"ticketId": str(ticket_id)}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def order_status(db: Connection, order_id: UUID) -> str | None:
    status = await db.fetchval("SELECT status FROM orders WHERE id = $1", order_id)
    return None if status is None else str(status)


async def paid(bus: Bus, db: Connection, order_id: UUID) -> None:
    """The payments service reports a charge for the order, which becomes complete."""
    payment = PaymentCreated(id=uuid.uuid4(), order_id=order_id, stripe_id="pi_test")
    await publish(bus, payment, producer="payments")

    async def complete() -> bool:
        return await order_status(db, order_id) == "complete"

    await eventually(complete, message="order never completed")


async def consumer(bus: Bus, durable: str) -> ConsumerInfo:
    info: ConsumerInfo = await bus.js.consumer_info(bus.catalog.stream_name, durable)
    return info


async def ack_floor(bus: Bus, durable: str) -> int:
    """The stream sequence up to which the consumer has acknowledged everything."""
    floor = (await consumer(bus, durable)).ack_floor
    return 0 if floor is None else int(floor.stream_seq)


async def acked(bus: Bus, durable: str, seq: int) -> None:
    """Wait until the consumer has acknowledged everything up to stream sequence `seq`."""

    async def done() -> bool:
        return await ack_floor(bus, durable) >= seq

    await eventually(done, message=f"{durable} never acknowledged message {seq}")


async def caught_up(bus: Bus, durable: str) -> bool:
    """For `eventually`: the consumer has received and acknowledged every message it has."""
    info = await consumer(bus, durable)
    delivered = info.delivered.stream_seq if info.delivered else 0
    return delivered > 0 and info.num_pending == 0 and info.num_ack_pending == 0


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
        validate_envelope(json.loads(msg.data))
    return [Envelope.from_bytes(msg.data) for msg in msgs]


async def outbox_count(db: Connection, event_type: str) -> int:
    """How many events of a type the service has committed (published or about to be)."""
    return int(await db.fetchval("SELECT count(*) FROM outbox WHERE event_type = $1", event_type))
