"""Helpers of the payments tests: signed-in users, orders on the bus, Stripe and event reads."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx

from payments.config import Settings
from ticketing_common.auth import AuthConfig
from ticketing_common.bus import Bus
from ticketing_common.db import Connection
from ticketing_common.events import (
    OrderCancelled,
    OrderCompleted,
    OrderCreated,
    OrderStatus,
    OrderTicket,
    TicketRef,
)
from ticketing_harness.testing.bus import publish
from ticketing_harness.testing.sessions import session_headers
from ticketing_harness.waiting import eventually

JWT_KEY = "payments-test-signing-key"
STRIPE_KEY = "sk_test_payments"


def signed_in(settings: Settings, user_id: UUID | None = None) -> dict[str, str]:
    """Request headers carrying a real session cookie of `user_id` (a new user if None)."""
    return session_headers(AuthConfig.from_settings(settings), user_id)


def order_created(*, user_id: UUID | None = None, price: str = "20.00") -> OrderCreated:
    return OrderCreated(
        id=uuid.uuid4(),
        version=0,
        status=OrderStatus.CREATED,
        user_id=user_id or uuid.uuid4(),
        expires_at=datetime.now(UTC) + timedelta(minutes=15),
        ticket=OrderTicket(id=uuid.uuid4(), price=Decimal(price)),
    )


def order_cancelled(order: OrderCreated, version: int = 1) -> OrderCancelled:
    return OrderCancelled(id=order.id, version=version, ticket=TicketRef(id=order.ticket.id))


def order_completed(order: OrderCreated, version: int = 1) -> OrderCompleted:
    return OrderCompleted(id=order.id, version=version, ticket=TicketRef(id=order.ticket.id))


async def pay_as_buyer(
    client: httpx.AsyncClient, settings: Settings, order: OrderCreated, token: str = "pm_card_visa"
) -> httpx.Response:
    """The order's own buyer asks to pay for it with `token`."""
    body = {"orderId": str(order.id), "token": token}
    return await client.post("/api/payments", json=body, headers=signed_in(settings, order.user_id))


async def replica(db: Connection, order_id: UUID) -> dict[str, Any] | None:
    row = await db.fetchrow(
        "SELECT version, user_id, price, status FROM orders WHERE id = $1", order_id
    )
    return None if row is None else dict(row)


async def replicated_order(
    bus: Bus, db: Connection, *, user_id: UUID | None = None, price: str = "20.00"
) -> OrderCreated:
    """An order the orders service announced and the replica has recorded."""
    order = order_created(user_id=user_id, price=price)
    await publish(bus, order)
    await eventually(lambda: replica(db, order.id), message="order never reached the replica")
    return order


async def replica_reaches(
    db: Connection, order_id: UUID, version: int, status: OrderStatus
) -> None:
    async def reached() -> bool:
        row = await replica(db, order_id)
        return row is not None and (row["version"], row["status"]) == (version, status.value)

    await eventually(reached, message=f"replica never reached v{version} {status}")


async def payment_row(db: Connection, order_id: UUID) -> dict[str, Any] | None:
    row = await db.fetchrow("SELECT * FROM payments WHERE order_id = $1", order_id)
    return None if row is None else dict(row)
