"""Orders and expiration together on the same NATS, Redis and PostgreSQL, with a 2-second window."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import httpx
import pytest

from expiration.app import create_app as create_expiration_app
from expiration.config import Settings as ExpirationSettings
from orders.app import create_app as create_orders_app
from orders.config import Settings
from ticketing_common.bus import Bus
from ticketing_common.config import load_settings
from ticketing_common.events import ExpirationComplete, OrderCancelled
from ticketing_harness.testing.asgi import serve
from ticketing_harness.testing.bus import caught_up, published
from ticketing_harness.waiting import eventually

from ..support import (
    JWT_KEY,
    list_ticket,
    order_status,
    paid,
    place_order,
    signed_in,
)

WINDOW_SECONDS = 2


@dataclass
class System:
    orders: httpx.AsyncClient
    settings: Settings
    db: asyncpg.Connection


@pytest.fixture
async def system(
    settings: Settings, database_dsn: str, nats_url: str, redis_url: str
) -> AsyncIterator[System]:
    """Both services running in process, orders with a 2-second expiration window."""
    orders_settings = settings.model_copy(update={"expiration_window_seconds": WINDOW_SECONDS})
    expiration_settings = load_settings(
        ExpirationSettings,
        jwt_key=JWT_KEY,
        environment="test",
        nats_url=nats_url,
        redis_url=redis_url,
    )
    async with (
        serve(create_orders_app(orders_settings)) as orders,
        serve(create_expiration_app(expiration_settings)),
    ):
        db = await asyncpg.connect(database_dsn)
        yield System(orders, orders_settings, db)
        await db.close()


async def test_an_unpaid_order_is_cancelled_when_its_window_passes(
    system: System, bus: Bus
) -> None:
    ticket = await list_ticket(bus, system.db)
    buyer = signed_in(system.settings)
    order = await place_order(system.orders, buyer, ticket.id)

    async def cancelled() -> bool:
        shown = await system.orders.get(f"/api/orders/{order['id']}", headers=buyer)
        return bool(shown.json()["status"] == "cancelled")

    await eventually(cancelled, timeout=15, message="the unpaid order never expired")
    [expiry] = await published(bus, "expiration.complete")
    assert expiry.payload() == ExpirationComplete(order_id=uuid.UUID(order["id"]))
    assert expiry.occurred_at >= datetime.fromisoformat(order["expiresAt"])
    [cancel] = await eventually(lambda: published(bus, "order.cancelled"))
    assert cancel.payload() == OrderCancelled.from_wire(
        {"id": order["id"], "version": 1, "ticket": {"id": str(ticket.id)}}
    )
    again = await system.orders.post(
        "/api/orders", json={"ticketId": str(ticket.id)}, headers=signed_in(system.settings)
    )
    assert again.status_code == 201


async def test_a_paid_order_outlives_its_window(system: System, bus: Bus) -> None:
    ticket = await list_ticket(bus, system.db)
    order = await place_order(system.orders, signed_in(system.settings), ticket.id)
    order_id = uuid.UUID(order["id"])
    await paid(bus, system.db, order_id)
    [expiry] = await eventually(
        lambda: published(bus, "expiration.complete"), timeout=15, message="never expired"
    )
    assert expiry.payload() == ExpirationComplete(order_id=order_id)
    await eventually(
        lambda: caught_up(bus, "orders-expiration-complete"), message="expiry not consumed"
    )
    assert await order_status(system.db, order_id) == "complete"
    assert await published(bus, "order.cancelled") == []
