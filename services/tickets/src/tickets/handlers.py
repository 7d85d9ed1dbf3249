"""Use cases of the tickets service: one unit of work each, its events written as it commits."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from ticketing_common.db import Connection
from ticketing_common.errors import NotFound
from ticketing_common.events import OrderCancelled, OrderCompleted, OrderCreated
from ticketing_common.listeners import Retry
from ticketing_common.unit_of_work import Database, UnitOfWork
from tickets import repository
from tickets.domain import HeldByAnotherOrder, Ticket


async def create_ticket(db: Database, *, user_id: UUID, title: str, price: Decimal) -> Ticket:
    """List a ticket for sale; ticket.created is published with it."""
    async with db.unit_of_work() as uow:
        ticket = uow.track(Ticket.list_for_sale(title=title, price=price, user_id=user_id))
        await repository.add(uow.conn, ticket)
    return ticket


async def update_ticket(
    db: Database, *, ticket_id: UUID, user_id: UUID, title: str, price: Decimal
) -> Ticket:
    """The seller edits a ticket no order holds; ticket.updated carries the new version."""
    async with db.unit_of_work() as uow:
        ticket = await repository.get(uow.conn, ticket_id, for_update=True)
        if ticket is None:
            raise NotFound()
        read_version = ticket.version
        uow.track(ticket).edit(by=user_id, title=title, price=price)
        await repository.save(uow.conn, ticket, read_version)
    return ticket


async def show_ticket(db: Database, ticket_id: UUID) -> Ticket:
    """Any ticket, reserved or not."""
    async with db.pool.acquire() as conn:
        ticket = await repository.get(conn, ticket_id)
    if ticket is None:
        raise NotFound()
    return ticket


async def tickets_for_sale(db: Database, *, limit: int, offset: int) -> list[Ticket]:
    """Tickets no order holds, newest first."""
    async with db.pool.acquire() as conn:
        return await repository.for_sale(conn, limit=limit, offset=offset)


async def tickets_of_seller(
    db: Database, *, user_id: UUID, limit: int, offset: int
) -> list[Ticket]:
    """Everything a seller listed, whatever holds it, newest first."""
    async with db.pool.acquire() as conn:
        return await repository.of_seller(conn, user_id, limit=limit, offset=offset)


async def reserve_ticket(uow: UnitOfWork, order: OrderCreated) -> None:
    """Hold the ticket for the order, unless that order was cancelled already."""
    # The ticket is locked before the order's end is looked up: a cancel handled at the same
    # time locks it too, so either it committed and its end is seen here, or it runs after
    # the reservation and frees the ticket.
    ticket = uow.track(await _ticket_of(uow.conn, order.ticket.id))
    if await repository.order_ended(uow.conn, order.id):
        return
    read_version = ticket.version
    try:
        ticket.reserve(order.id)
    except HeldByAnotherOrder as exc:
        raise Retry(f"{exc}; waiting for its cancel") from None
    await _save_if_changed(uow.conn, ticket, read_version)


async def release_ticket(uow: UnitOfWork, order: OrderCancelled) -> None:
    """Free the ticket if this order holds it, and remember the order ended."""
    await repository.end_order(uow.conn, order.id)
    ticket = uow.track(await _ticket_of(uow.conn, order.ticket.id))
    read_version = ticket.version
    ticket.release(order.id)
    await _save_if_changed(uow.conn, ticket, read_version)


async def record_sale(uow: UnitOfWork, order: OrderCompleted) -> None:
    """The order was paid: its ticket is sold, even if its reservation has not arrived yet."""
    await repository.complete_order(uow.conn, order.id)


async def _ticket_of(conn: Connection, ticket_id: UUID) -> Ticket:
    ticket = await repository.get(conn, ticket_id, for_update=True)
    if ticket is None:
        raise Retry(f"ticket {ticket_id} not found")
    return ticket


async def _save_if_changed(conn: Connection, ticket: Ticket, read_version: int) -> None:
    if ticket.version != read_version:
        await repository.save(conn, ticket, read_version)
