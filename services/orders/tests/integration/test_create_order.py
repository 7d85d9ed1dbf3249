"""POST /api/orders: reserving a ticket, against the real database and bus."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from orders.config import Settings
from ticketing_common.bus import Bus
from ticketing_common.events import OrderCreated
from ticketing_harness.testing.bus import published
from ticketing_harness.waiting import eventually

from ..support import list_ticket, outbox_count, paid, signed_in


async def test_order_requires_a_signed_in_user(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/orders", json={"ticketId": str(uuid.uuid4())})
    assert response.status_code == 401
    assert response.json() == {"errors": [{"message": "Not authorized"}]}


@pytest.mark.parametrize("body", [{}, {"ticketId": ""}, {"ticketId": "abc"}, {"ticketId": 7}])
async def test_order_without_a_valid_ticket_id_is_refused(
    client: httpx.AsyncClient, settings: Settings, body: dict[str, object]
) -> None:
    response = await client.post("/api/orders", json=body, headers=signed_in(settings))
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": "TicketId must be provided", "field": "ticketId"}]
    }


async def test_order_for_an_unknown_ticket_is_not_found(
    client: httpx.AsyncClient, settings: Settings, db: asyncpg.Connection
) -> None:
    response = await client.post(
        "/api/orders", json={"ticketId": str(uuid.uuid4())}, headers=signed_in(settings)
    )
    assert response.status_code == 404
    assert await db.fetchval("SELECT count(*) FROM orders") == 0


async def test_order_reserves_a_ticket(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db, title="Concert", price="19.99")
    buyer = uuid.uuid4()
    before = datetime.now(UTC)
    response = await client.post(
        "/api/orders", json={"ticketId": str(ticket.id)}, headers=signed_in(settings, buyer)
    )
    assert response.status_code == 201
    body = response.json()
    expires_at = datetime.fromisoformat(body.pop("expiresAt"))
    assert (
        before + timedelta(seconds=900) <= expires_at <= datetime.now(UTC) + timedelta(seconds=900)
    )
    order_id = uuid.UUID(body.pop("id"))
    assert body == {
        "userId": str(buyer),
        "status": "created",
        "ticket": {"id": str(ticket.id), "title": "Concert", "price": 19.99, "version": 0},
        "version": 0,
        "refunded": False,
    }
    row = await db.fetchrow("SELECT user_id, ticket_id, status FROM orders WHERE id = $1", order_id)
    assert row is not None
    assert dict(row) == {"user_id": buyer, "ticket_id": ticket.id, "status": "created"}


async def test_order_created_event_is_published(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db, price="19.99")
    buyer = uuid.uuid4()
    response = await client.post(
        "/api/orders", json={"ticketId": str(ticket.id)}, headers=signed_in(settings, buyer)
    )
    order = response.json()
    [envelope] = await eventually(lambda: published(bus, "order.created"))
    assert envelope.producer == "orders"
    event = envelope.payload()
    assert isinstance(event, OrderCreated)
    assert event.to_wire() == {
        "id": order["id"],
        "version": 0,
        "status": "created",
        "userId": str(buyer),
        "expiresAt": order["expiresAt"],
        "ticket": {"id": str(ticket.id), "price": "19.99"},
    }


async def test_order_for_a_reserved_ticket_is_refused(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db)
    first = await client.post(
        "/api/orders", json={"ticketId": str(ticket.id)}, headers=signed_in(settings)
    )
    assert first.status_code == 201
    second = await client.post(
        "/api/orders", json={"ticketId": str(ticket.id)}, headers=signed_in(settings)
    )
    assert second.status_code == 400
    assert second.json() == {"errors": [{"message": "Ticket is already reserved"}]}
    assert await db.fetchval("SELECT count(*) FROM orders") == 1
    assert await outbox_count(db, "order.created") == 1


async def test_a_paid_order_keeps_its_ticket_reserved(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db)
    first = await client.post(
        "/api/orders", json={"ticketId": str(ticket.id)}, headers=signed_in(settings)
    )
    await paid(bus, db, uuid.UUID(first.json()["id"]))
    again = await client.post(
        "/api/orders", json={"ticketId": str(ticket.id)}, headers=signed_in(settings)
    )
    assert again.status_code == 400
    assert again.json() == {"errors": [{"message": "Ticket is already reserved"}]}


async def test_a_cancelled_order_frees_its_ticket_for_a_new_order(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db)
    buyer = signed_in(settings)
    first = await client.post("/api/orders", json={"ticketId": str(ticket.id)}, headers=buyer)
    cancelled = await client.delete(f"/api/orders/{first.json()['id']}", headers=buyer)
    assert cancelled.status_code == 204
    second = await client.post(
        "/api/orders", json={"ticketId": str(ticket.id)}, headers=signed_in(settings)
    )
    assert second.status_code == 201
    assert second.json()["id"] != first.json()["id"]
