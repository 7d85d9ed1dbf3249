"""SQL for tickets and the orders known to be cancelled or paid (asyncpg); versions are
checked in SQL."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ticketing_common.db import Connection, update_versioned
from tickets.domain import Ticket

_COLUMNS = (
    "id, title, price, user_id, version, order_id, EXISTS (SELECT 1 FROM completed_orders c"
    " WHERE c.order_id = tickets.order_id) AS sold"
)


async def add(conn: Connection, ticket: Ticket) -> None:
    """Insert a new ticket."""
    await conn.execute(
        "INSERT INTO tickets (id, title, price, user_id, version, order_id)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        ticket.id,
        ticket.title,
        ticket.price,
        ticket.user_id,
        ticket.version,
        ticket.order_id,
    )


async def get(conn: Connection, ticket_id: UUID, *, for_update: bool = False) -> Ticket | None:
    """The ticket, locked until the transaction ends when `for_update`."""
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM tickets WHERE id = $1{lock}", ticket_id)
    return None if row is None else _ticket(row)


async def save(conn: Connection, ticket: Ticket, read_version: int) -> None:
    """Write a changed ticket; Conflict if it moved on since it was read at `read_version`."""
    version = await update_versioned(
        conn,
        "tickets",
        ticket.id,
        read_version,
        {"title": ticket.title, "price": ticket.price, "order_id": ticket.order_id},
    )
    assert version == ticket.version, "the domain and the database disagree on the version"


async def for_sale(conn: Connection, *, limit: int, offset: int) -> list[Ticket]:
    """Tickets no order holds, newest first."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM tickets WHERE order_id IS NULL"
        " ORDER BY seq DESC LIMIT $1 OFFSET $2",
        limit,
        offset,
    )
    return [_ticket(row) for row in rows]


async def of_seller(conn: Connection, user_id: UUID, *, limit: int, offset: int) -> list[Ticket]:
    """A seller's tickets, for sale, reserved or sold, newest first."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM tickets WHERE user_id = $1 ORDER BY seq DESC LIMIT $2 OFFSET $3",
        user_id,
        limit,
        offset,
    )
    return [_ticket(row) for row in rows]


async def complete_order(conn: Connection, order_id: UUID) -> None:
    """Remember that an order was paid: the ticket it holds is sold."""
    await conn.execute(
        "INSERT INTO completed_orders (order_id) VALUES ($1) ON CONFLICT DO NOTHING", order_id
    )


async def end_order(conn: Connection, order_id: UUID) -> None:
    """Remember that an order was cancelled."""
    await conn.execute(
        "INSERT INTO ended_orders (order_id) VALUES ($1) ON CONFLICT DO NOTHING", order_id
    )


async def order_ended(conn: Connection, order_id: UUID) -> bool:
    """Whether the order was cancelled already."""
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM ended_orders WHERE order_id = $1)", order_id
        )
    )


def _ticket(row: Any) -> Ticket:
    return Ticket(
        id=row["id"],
        title=row["title"],
        price=row["price"],
        user_id=row["user_id"],
        version=row["version"],
        order_id=row["order_id"],
        sold=row["sold"],
    )
