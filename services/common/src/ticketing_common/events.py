"""Typed models of every event payload, one per contract in contracts/events/."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from ticketing_common.wire import Price, ProviderId, Timestamp, Title, Uuid, Version, WireModel


class OrderStatus(StrEnum):
    """Where an order is in its life."""

    CREATED = "created"
    CANCELLED = "cancelled"
    COMPLETE = "complete"


class EventData(WireModel):
    """Base of every event payload; `event_type` names its contract."""

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1


class TicketRef(WireModel):
    """A reference to a ticket by id."""

    id: Uuid


class OrderTicket(WireModel):
    """The ticket an order is for, with the price it is sold at."""

    id: Uuid
    price: Price


class TicketCreated(EventData):
    """A ticket was listed for sale."""

    event_type: ClassVar[str] = "ticket.created"
    id: Uuid
    version: Version
    title: Title
    price: Price
    user_id: Uuid


class TicketUpdated(EventData):
    """A ticket was edited, reserved by an order (order_id set) or released (None)."""

    event_type: ClassVar[str] = "ticket.updated"
    id: Uuid
    version: Version
    title: Title
    price: Price
    user_id: Uuid
    order_id: Uuid | None


class OrderCreated(EventData):
    """A buyer ordered a ticket, which stays locked until the order ends."""

    event_type: ClassVar[str] = "order.created"
    id: Uuid
    version: Version
    status: OrderStatus
    user_id: Uuid
    expires_at: Timestamp
    ticket: OrderTicket


class OrderCancelled(EventData):
    """An order was cancelled or expired unpaid; its ticket is free again."""

    event_type: ClassVar[str] = "order.cancelled"
    id: Uuid
    version: Version
    ticket: TicketRef


class OrderCompleted(EventData):
    """An order was paid; its ticket is sold."""

    event_type: ClassVar[str] = "order.completed"
    id: Uuid
    version: Version
    ticket: TicketRef


class ExpirationComplete(EventData):
    """An order's expiration window has passed."""

    event_type: ClassVar[str] = "expiration.complete"
    order_id: Uuid


class PaymentCreated(EventData):
    """A buyer paid for an order."""

    event_type: ClassVar[str] = "payment.created"
    id: Uuid
    order_id: Uuid
    stripe_id: ProviderId


class PaymentRefunded(EventData):
    """A payment that raced its order's expiry was refunded."""

    event_type: ClassVar[str] = "payment.refunded"
    id: Uuid
    order_id: Uuid
    stripe_id: ProviderId
    stripe_refund_id: ProviderId


EVENT_MODELS: dict[str, type[EventData]] = {
    model.event_type: model
    for model in (
        TicketCreated,
        TicketUpdated,
        OrderCreated,
        OrderCancelled,
        OrderCompleted,
        ExpirationComplete,
        PaymentCreated,
        PaymentRefunded,
    )
}
