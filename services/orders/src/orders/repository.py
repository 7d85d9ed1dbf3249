"""SQL of the orders service: the ticket replica and orders, with version checks in SQL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import asyncpg

from orders.domain import Order, Ticket, TicketAlreadyReserved
from ticketing_common.db import Connection, update_versioned
from ticketing_common.events import OrderStatus

ONE_LIVE_ORDER_PER_TICKET = "orders_one_live_order_per_ticket"

_TICKET_COLUMNS = "t.id AS ticket_id, t.title, t.price, t.version AS ticket_version, t.order_id"
_ORDERS_WITH_TICKETS = (
    "SELECT o.id, o.user_id, o.status, o.expires_at, o.version, o.refunded_at IS NOT NULL"
    f" AS refunded, {_TICKET_COLUMNS} FROM orders o JOIN tickets t ON t.id = o.ticket_id"
)


async def insert_ticket(conn: Connection, ticket: Ticket) -> bool:
    """Store a ticket seen for the first time; False if the replica already has it."""
    inserted = await conn.fetchval(
        "INSERT INTO tickets (id, title, price, version, order_id) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (id) DO NOTHING RETURNING true",
        ticket.id,
        ticket.title,
        ticket.price,
        ticket.version,
        ticket.order_id,
    )
    return bool(inserted)


async def ticket_version(conn: Connection, ticket_id: UUID) -> int | None:
    """The replica's version of a ticket, locked until the transaction ends; None if unknown."""
    version = await conn.fetchval("SELECT version FROM tickets WHERE id = $1 FOR UPDATE", ticket_id)
    return None if version is None else int(version)


async def apply_ticket_update(conn: Connection, ticket: Ticket, read_version: int) -> bool:
    """Write `ticket` over the version the caller read; False if the stored one moved on.

    Which version may follow which is `ticketing_common.versioning`'s rule, not this query's.
    """
    updated = await conn.fetchval(
        "UPDATE tickets SET title = $2, price = $3, order_id = $4, version = $5"
        " WHERE id = $1 AND version = $6 RETURNING true",
        ticket.id,
        ticket.title,
        ticket.price,
        ticket.order_id,
        ticket.version,
        read_version,
    )
    return bool(updated)


async def get_ticket(conn: Connection, ticket_id: UUID) -> Ticket | None:
    row = await conn.fetchrow(f"SELECT {_TICKET_COLUMNS} FROM tickets t WHERE t.id = $1", ticket_id)
    return None if row is None else _ticket(row)


async def insert_order(conn: Connection, order: Order) -> None:
    """Store a new order; refused when a live order already holds its ticket."""
    try:
        await conn.execute(
            "INSERT INTO orders (id, user_id, ticket_id, status, expires_at, version)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            order.id,
            order.user_id,
            order.ticket.id,
            order.status.value,
            order.expires_at,
            order.version,
        )
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name == ONE_LIVE_ORDER_PER_TICKET:
            raise TicketAlreadyReserved() from exc
        raise


async def get_order(conn: Connection, order_id: UUID, *, for_update: bool = False) -> Order | None:
    """An order with its ticket; `for_update` locks the order until the transaction ends."""
    lock = " FOR UPDATE OF o" if for_update else ""
    row = await conn.fetchrow(f"{_ORDERS_WITH_TICKETS} WHERE o.id = $1{lock}", order_id)
    return None if row is None else _order(row)


async def orders_of(conn: Connection, user_id: UUID, *, limit: int, offset: int) -> list[Order]:
    """A page of a buyer's orders, oldest first."""
    rows = await conn.fetch(
        f"{_ORDERS_WITH_TICKETS} WHERE o.user_id = $1 ORDER BY o.seq LIMIT $2 OFFSET $3",
        user_id,
        limit,
        offset,
    )
    return [_order(row) for row in rows]


async def save_status(conn: Connection, order: Order, expected_version: int) -> None:
    """Write the order's status if nobody changed it since it was read at `expected_version`."""
    version = await update_versioned(
        conn, "orders", order.id, expected_version, {"status": order.status.value}
    )
    assert version == order.version, "the domain and the database disagree on the version"


async def mark_refunded(conn: Connection, order_id: UUID) -> bool:
    """Note that the order's payment was refunded; False for an unknown order."""
    marked = await conn.fetchval(
        "UPDATE orders SET refunded_at = coalesce(refunded_at, now()) WHERE id = $1 RETURNING true",
        order_id,
    )
    return bool(marked)


def _ticket(row: Mapping[str, Any]) -> Ticket:
    return Ticket(
        id=row["ticket_id"],
        title=row["title"],
        price=row["price"],
        version=row["ticket_version"],
        order_id=row["order_id"],
    )


def _order(row: Mapping[str, Any]) -> Order:
    return Order(
        id=row["id"],
        user_id=row["user_id"],
        ticket=_ticket(row),
        status=OrderStatus(row["status"]),
        expires_at=row["expires_at"],
        version=row["version"],
        refunded=row["refunded"],
    )
