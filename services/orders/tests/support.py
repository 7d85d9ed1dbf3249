"""Helpers of the orders tests: signed-in users, tickets in the replica, events on the bus."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx

from orders.config import Settings
from ticketing_common.auth import AuthConfig
from ticketing_common.bus import Bus
from ticketing_common.db import Connection
from ticketing_common.events import PaymentCreated, TicketCreated, TicketUpdated
from ticketing_harness.testing.bus import consumer_info, publish
from ticketing_harness.testing.sessions import session_headers
from ticketing_harness.waiting import eventually

JWT_KEY = "orders-test-signing-key"


def signed_in(settings: Settings, user_id: UUID | None = None) -> dict[str, str]:
    """Request headers carrying a real session cookie of `user_id` (a new user if None)."""
    return session_headers(AuthConfig.from_settings(settings), user_id)


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
    await publish(bus, payment)

    async def complete() -> bool:
        return await order_status(db, order_id) == "complete"

    await eventually(complete, message="order never completed")


async def ack_floor(bus: Bus, durable: str) -> int:
    """The stream sequence up to which the consumer has acknowledged everything."""
    floor = (await consumer_info(bus, durable)).ack_floor
    return 0 if floor is None else int(floor.stream_seq)


async def outbox_count(db: Connection, event_type: str) -> int:
    """How many events of a type the service has committed (published or about to be)."""
    return int(await db.fetchval("SELECT count(*) FROM outbox WHERE event_type = $1", event_type))
