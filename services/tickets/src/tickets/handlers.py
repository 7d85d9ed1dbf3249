"""Use cases of the tickets service: one transaction each, events enqueued in it."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import asyncpg

from ticketing_common.db import Connection
from ticketing_common.errors import NotFound
from ticketing_common.events import OrderCancelled, OrderCreated
from ticketing_common.listeners import Retry
from ticketing_common.outbox import enqueue
from tickets import repository
from tickets.domain import HeldByAnotherOrder, Ticket

PRODUCER = "tickets"


async def create_ticket(pool: asyncpg.Pool, *, user_id: UUID, title: str, price: Decimal) -> Ticket:
    """List a ticket for sale; ticket.created is published with it."""
    ticket = Ticket.list_for_sale(title=title, price=price, user_id=user_id)
    async with pool.acquire() as conn, conn.transaction():
        await repository.add(conn, ticket)
        await _enqueue_events(conn, ticket)
    return ticket


async def update_ticket(
    pool: asyncpg.Pool, *, ticket_id: UUID, user_id: UUID, title: str, price: Decimal
) -> Ticket:
    """The seller edits a ticket no order holds; ticket.updated carries the new version."""
    async with pool.acquire() as conn, conn.transaction():
        ticket = await repository.get(conn, ticket_id, for_update=True)
        if ticket is None:
            raise NotFound()
        ticket.edit(by=user_id, title=title, price=price)
        await _save(conn, ticket)
    return ticket


async def show_ticket(pool: asyncpg.Pool, ticket_id: UUID) -> Ticket:
    """Any ticket, reserved or not."""
    async with pool.acquire() as conn:
        ticket = await repository.get(conn, ticket_id)
    if ticket is None:
        raise NotFound()
    return ticket


async def tickets_for_sale(pool: asyncpg.Pool, *, limit: int, offset: int) -> list[Ticket]:
    """Tickets no order holds, newest first."""
    async with pool.acquire() as conn:
        return await repository.for_sale(conn, limit=limit, offset=offset)


async def reserve_ticket(conn: Connection, order: OrderCreated) -> None:
    """Hold the ticket for the order, unless that order was cancelled already."""
    if await repository.order_ended(conn, order.id):
        return
    ticket = await _ticket_of(conn, order.ticket.id)
    try:
        ticket.reserve(order.id)
    except HeldByAnotherOrder as exc:
        raise Retry(f"{exc}; waiting for its cancel") from None
    await _save(conn, ticket)


async def release_ticket(conn: Connection, order: OrderCancelled) -> None:
    """Free the ticket if this order holds it, and remember the order ended."""
    await repository.end_order(conn, order.id)
    ticket = await _ticket_of(conn, order.ticket.id)
    ticket.release(order.id)
    await _save(conn, ticket)


async def _ticket_of(conn: Connection, ticket_id: UUID) -> Ticket:
    ticket = await repository.get(conn, ticket_id, for_update=True)
    if ticket is None:
        raise Retry(f"ticket {ticket_id} not found")
    return ticket


async def _save(conn: Connection, ticket: Ticket) -> None:
    if ticket.events:
        await repository.save(conn, ticket)
        await _enqueue_events(conn, ticket)


async def _enqueue_events(conn: Connection, ticket: Ticket) -> None:
    for event in ticket.events:
        await enqueue(conn, event, producer=PRODUCER)
    ticket.events.clear()
