"""Order events as the orders service would publish them, and what the tickets outbox holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from ticketing_common.events import (
    OrderCancelled,
    OrderCompleted,
    OrderCreated,
    OrderStatus,
    OrderTicket,
    TicketRef,
)

CENT = Decimal("0.01")


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


def order_completed(order: OrderCreated, version: int = 1) -> OrderCompleted:
    """The order was paid."""
    return OrderCompleted(id=order.id, version=version, ticket=TicketRef(id=order.ticket.id))


async def enqueued(pool: asyncpg.Pool, event_type: str) -> int:
    """How many events of this type the service has committed to its outbox."""
    count = await pool.fetchval("SELECT count(*) FROM outbox WHERE event_type = $1", event_type)
    return int(count)
