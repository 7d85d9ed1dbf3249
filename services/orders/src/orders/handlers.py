"""Use cases of the orders service: one transaction each, events written in it by the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from orders import repository
from orders.domain import Order, Ticket
from ticketing_common.db import Connection
from ticketing_common.errors import NotFound
from ticketing_common.events import ExpirationComplete, PaymentCreated, TicketCreated, TicketUpdated
from ticketing_common.listeners import Reject, Retry
from ticketing_common.outbox import enqueue
from ticketing_common.versioning import ReplicaChange, replica_change

PRODUCER = "orders"


async def record_ticket_created(conn: Connection, data: TicketCreated) -> None:
    """A listed ticket becomes orderable; a repeated creation changes nothing."""
    ticket = Ticket(id=data.id, title=data.title, price=data.price, version=data.version)
    await repository.insert_ticket(conn, ticket)


async def record_ticket_updated(conn: Connection, data: TicketUpdated) -> None:
    """Apply exactly the replica's next version; older ones are duplicates; a gap waits."""
    change = replica_change(await repository.ticket_version(conn, data.id), data.version)
    if change is ReplicaChange.GAP:
        raise Retry(f"ticket {data.id} version {data.version} is ahead of the replica")
    if change is ReplicaChange.DUPLICATE:
        return
    ticket = Ticket(
        id=data.id,
        title=data.title,
        price=data.price,
        version=data.version,
        order_id=data.order_id,
    )
    if not await repository.apply_ticket_update(conn, ticket):
        raise Retry(f"ticket {data.id} changed while version {data.version} was applied")


async def place_order(
    pool: asyncpg.Pool, *, user_id: UUID, ticket_id: UUID, window: timedelta
) -> Order:
    """Reserve a known ticket for the window unless a live order holds it; emits order.created."""
    async with pool.acquire() as conn, conn.transaction():
        ticket = await repository.get_ticket(conn, ticket_id)
        if ticket is None:
            raise NotFound()
        order = Order.place(user_id=user_id, ticket=ticket, now=datetime.now(UTC), window=window)
        await repository.insert_order(conn, order)
        await _enqueue_events(conn, order)
    return order


async def orders_of(pool: asyncpg.Pool, user_id: UUID) -> list[Order]:
    """A buyer's orders with their tickets, oldest first."""
    async with pool.acquire() as conn:
        return await repository.orders_of(conn, user_id)


async def show_order(pool: asyncpg.Pool, *, user_id: UUID, order_id: UUID) -> Order:
    """One order, to its buyer only."""
    async with pool.acquire() as conn:
        order = await repository.get_order(conn, order_id)
    if order is None:
        raise NotFound()
    order.check_owner(user_id)
    return order


async def cancel_order(pool: asyncpg.Pool, *, user_id: UUID, order_id: UUID) -> None:
    """The buyer cancels an unpaid order (emits order.cancelled); a paid one is refused."""
    async with pool.acquire() as conn, conn.transaction():
        order = await repository.get_order(conn, order_id, for_update=True)
        if order is None:
            raise NotFound()
        order.check_owner(user_id)
        await _change(conn, order, Order.cancel)


async def expire_order(conn: Connection, data: ExpirationComplete) -> None:
    """The window passed: an unpaid order is cancelled; a paid or cancelled one is left alone."""
    await _change(conn, await _order_of_event(conn, data.order_id), Order.expire)


async def complete_order(conn: Connection, data: PaymentCreated) -> None:
    """A payment completes an unpaid order (emits order.completed); a cancelled one stays so."""
    await _change(conn, await _order_of_event(conn, data.order_id), Order.complete)


async def _order_of_event(conn: Connection, order_id: UUID) -> Order:
    order = await repository.get_order(conn, order_id, for_update=True)
    if order is None:
        # Every order is created here before anyone else hears of it: this id is not ours.
        raise Reject(f"unknown order {order_id}")
    return order


async def _change(conn: Connection, order: Order, change: Callable[[Order], None]) -> None:
    """Apply a domain change; save and emit its events only if it changed anything."""
    read_version = order.version
    change(order)
    if order.version != read_version:
        await repository.save_status(conn, order, read_version)
        await _enqueue_events(conn, order)


async def _enqueue_events(conn: Connection, order: Order) -> None:
    for event in order.pop_events():
        await enqueue(conn, event, producer=PRODUCER)
