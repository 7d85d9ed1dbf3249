"""Use cases of the orders service: one unit of work each, its events written as it commits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from orders import repository
from orders.domain import Order, Ticket
from ticketing_common import idempotency
from ticketing_common.errors import NotFound
from ticketing_common.events import (
    ExpirationComplete,
    PaymentCreated,
    PaymentRefunded,
    TicketCreated,
    TicketUpdated,
)
from ticketing_common.idempotency import Answer, IdempotentRequest
from ticketing_common.listeners import Reject, Retry
from ticketing_common.unit_of_work import Database, UnitOfWork
from ticketing_common.versioning import ReplicaChange, replica_change


async def record_ticket_created(uow: UnitOfWork, data: TicketCreated) -> None:
    """A listed ticket becomes orderable; a repeated creation changes nothing."""
    ticket = Ticket(id=data.id, title=data.title, price=data.price, version=data.version)
    await repository.insert_ticket(uow.conn, ticket)


async def record_ticket_updated(uow: UnitOfWork, data: TicketUpdated) -> None:
    """Apply exactly the replica's next version; older ones are duplicates; a gap waits."""
    local_version = await repository.ticket_version(uow.conn, data.id)
    change = replica_change(local_version, data.version)
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
    assert local_version is not None, "a replica without the ticket waits (GAP)"
    if not await repository.apply_ticket_update(uow.conn, ticket, local_version):
        raise Retry(f"ticket {data.id} changed while version {data.version} was applied")


async def place_order(
    db: Database,
    *,
    user_id: UUID,
    ticket_id: UUID,
    window: timedelta,
    request: IdempotentRequest | None,
    answer: Callable[[Order], Answer],
) -> Answer:
    """Reserve a known ticket for the window unless a live order holds it; emits order.created.

    A retry of a request (same Idempotency-Key and body) gets its first answer, reserving nothing.
    """
    async with db.unit_of_work() as uow:
        if (stored := await idempotency.claim(uow.conn, request)) is not None:
            assert stored.answer is not None, "an order and its answer are stored together"
            return stored.answer
        ticket = await repository.get_ticket(uow.conn, ticket_id)
        if ticket is None:
            raise NotFound()
        now = datetime.now(UTC)
        order = uow.track(Order.place(user_id=user_id, ticket=ticket, now=now, window=window))
        await repository.insert_order(uow.conn, order)
        return await idempotency.keep(uow.conn, request, answer(order), order.id)


async def orders_of(db: Database, user_id: UUID, *, limit: int, offset: int) -> list[Order]:
    """A page of a buyer's orders with their tickets, oldest first."""
    async with db.pool.acquire() as conn:
        return await repository.orders_of(conn, user_id, limit=limit, offset=offset)


async def show_order(db: Database, *, user_id: UUID, order_id: UUID) -> Order:
    """One order, to its buyer only."""
    async with db.pool.acquire() as conn:
        order = await repository.get_order(conn, order_id)
    if order is None:
        raise NotFound()
    order.check_owner(user_id)
    return order


async def cancel_order(db: Database, *, user_id: UUID, order_id: UUID) -> None:
    """The buyer cancels an unpaid order (emits order.cancelled); a paid one is refused."""
    async with db.unit_of_work() as uow:
        order = await repository.get_order(uow.conn, order_id, for_update=True)
        if order is None:
            raise NotFound()
        order.check_owner(user_id)
        await _change(uow, order, Order.cancel)


async def expire_order(uow: UnitOfWork, data: ExpirationComplete) -> None:
    """The window passed: an unpaid order is cancelled; a paid or cancelled one is left alone."""
    await _change(uow, await _order_of_event(uow, data.order_id), Order.expire)


async def complete_order(uow: UnitOfWork, data: PaymentCreated) -> None:
    """A payment completes an unpaid order (emits order.completed); a cancelled one stays so."""
    await _change(uow, await _order_of_event(uow, data.order_id), Order.complete)


async def record_refund(uow: UnitOfWork, data: PaymentRefunded) -> None:
    """The order's payment was refunded: the buyer sees it; a repeated refund changes nothing."""
    if not await repository.mark_refunded(uow.conn, data.order_id):
        raise Reject(f"unknown order {data.order_id}")


async def _order_of_event(uow: UnitOfWork, order_id: UUID) -> Order:
    order = await repository.get_order(uow.conn, order_id, for_update=True)
    if order is None:
        # Every order is created here before anyone else hears of it: this id is not ours.
        raise Reject(f"unknown order {order_id}")
    return order


async def _change(uow: UnitOfWork, order: Order, change: Callable[[Order], None]) -> None:
    """Apply a domain change; save it (and so emit its events) only if it changed anything."""
    read_version = order.version
    change(uow.track(order))
    if order.version != read_version:
        await repository.save_status(uow.conn, order, read_version)
