"""DELETE /api/orders/{id}: the buyer cancels an unpaid order; a paid one keeps its ticket."""

from __future__ import annotations

import uuid

import asyncpg
import httpx

from orders.config import Settings
from ticketing_common.bus import Bus
from ticketing_common.events import OrderCancelled
from ticketing_harness.testing.bus import published
from ticketing_harness.waiting import eventually

from ..support import (
    list_ticket,
    order_status,
    outbox_count,
    paid,
    place_order,
    signed_in,
)


async def test_cancel_marks_the_order_cancelled(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db)
    me = signed_in(settings)
    order = await place_order(client, me, ticket.id)
    response = await client.delete(f"/api/orders/{order['id']}", headers=me)
    assert response.status_code == 204
    assert await order_status(db, uuid.UUID(order["id"])) == "cancelled"
    shown = (await client.get(f"/api/orders/{order['id']}", headers=me)).json()
    assert (shown["status"], shown["version"]) == ("cancelled", 1)


async def test_cancel_emits_order_cancelled(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db)
    me = signed_in(settings)
    order = await place_order(client, me, ticket.id)
    await client.delete(f"/api/orders/{order['id']}", headers=me)
    [envelope] = await eventually(lambda: published(bus, "order.cancelled"))
    assert envelope.payload() == OrderCancelled.from_wire(
        {"id": order["id"], "version": 1, "ticket": {"id": str(ticket.id)}}
    )


async def test_cancel_of_a_cancelled_order_succeeds_without_a_new_event(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db)
    me = signed_in(settings)
    order = await place_order(client, me, ticket.id)
    first = await client.delete(f"/api/orders/{order['id']}", headers=me)
    again = await client.delete(f"/api/orders/{order['id']}", headers=me)
    assert (first.status_code, again.status_code) == (204, 204)
    assert await outbox_count(db, "order.cancelled") == 1
    shown = (await client.get(f"/api/orders/{order['id']}", headers=me)).json()
    assert shown["version"] == 1


async def test_cancel_of_a_completed_order_is_refused(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db)
    me = signed_in(settings)
    order = await place_order(client, me, ticket.id)
    await paid(bus, db, uuid.UUID(order["id"]))
    response = await client.delete(f"/api/orders/{order['id']}", headers=me)
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "Cannot cancel a completed order"}]}
    assert await order_status(db, uuid.UUID(order["id"])) == "complete"
    assert await outbox_count(db, "order.cancelled") == 0


async def test_cancel_of_another_users_order_is_forbidden(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db)
    order = await place_order(client, signed_in(settings), ticket.id)
    response = await client.delete(f"/api/orders/{order['id']}", headers=signed_in(settings))
    assert response.status_code == 403
    assert await order_status(db, uuid.UUID(order["id"])) == "created"


async def test_cancel_of_an_absent_or_malformed_id_is_not_found(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    for order_id in (str(uuid.uuid4()), "nope"):
        response = await client.delete(f"/api/orders/{order_id}", headers=signed_in(settings))
        assert response.status_code == 404


async def test_cancel_requires_a_signed_in_user(client: httpx.AsyncClient) -> None:
    response = await client.delete(f"/api/orders/{uuid.uuid4()}")
    assert response.status_code == 401
