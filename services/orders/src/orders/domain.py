"""Orders and the ticket replica: state changes, their guards and the events they cause; no I/O."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from ticketing_common.aggregate import Aggregate
from ticketing_common.errors import BadRequest, Forbidden
from ticketing_common.events import (
    OrderCancelled,
    OrderCompleted,
    OrderCreated,
    OrderStatus,
    OrderTicket,
    TicketRef,
)


class TicketAlreadyReserved(BadRequest):
    """Another live order holds the ticket."""

    def __init__(self) -> None:
        super().__init__("Ticket is already reserved")


class CompletedOrderNotCancellable(BadRequest):
    """A paid order keeps its ticket."""

    def __init__(self) -> None:
        super().__init__("Cannot cancel a completed order")


@dataclass(frozen=True)
class Ticket:
    """The local copy of a ticket, at the version of the last event applied."""

    id: UUID
    title: str
    price: Decimal
    version: int
    order_id: UUID | None = None


@dataclass
class Order(Aggregate):
    """A buyer's order for one ticket; every change bumps `version` and records its event."""

    id: UUID
    user_id: UUID
    ticket: Ticket
    status: OrderStatus
    expires_at: datetime
    version: int = 0
    refunded: bool = False

    @classmethod
    def place(cls, *, user_id: UUID, ticket: Ticket, now: datetime, window: timedelta) -> Order:
        """A new order holding `ticket` until `now + window`."""
        order = cls(
            id=uuid.uuid4(),
            user_id=user_id,
            ticket=ticket,
            status=OrderStatus.CREATED,
            expires_at=now + window,
        )
        order.record(
            OrderCreated(
                id=order.id,
                version=order.version,
                status=order.status,
                user_id=user_id,
                expires_at=order.expires_at,
                ticket=OrderTicket(id=ticket.id, price=ticket.price),
            )
        )
        return order

    def check_owner(self, user_id: UUID) -> None:
        """Only the buyer may see or cancel an order."""
        if user_id != self.user_id:
            raise Forbidden()

    def cancel(self) -> None:
        """The buyer gives up: allowed while unpaid; cancelling twice changes nothing."""
        if self.status is OrderStatus.COMPLETE:
            raise CompletedOrderNotCancellable()
        if self.status is OrderStatus.CREATED:
            self._become_cancelled()

    def expire(self) -> None:
        """The window has passed: an unpaid order is cancelled; a paid or cancelled one stays."""
        if self.status is OrderStatus.CREATED:
            self._become_cancelled()

    def complete(self) -> None:
        """A payment arrived: an unpaid order is complete; a cancelled one stays cancelled."""
        if self.status is OrderStatus.CREATED:
            self._move_to(OrderStatus.COMPLETE)
            ticket = TicketRef(id=self.ticket.id)
            self.record(OrderCompleted(id=self.id, version=self.version, ticket=ticket))

    def _become_cancelled(self) -> None:
        self._move_to(OrderStatus.CANCELLED)
        ticket = TicketRef(id=self.ticket.id)
        self.record(OrderCancelled(id=self.id, version=self.version, ticket=ticket))

    def _move_to(self, status: OrderStatus) -> None:
        self.status = status
        self.version += 1
