"""What the orders API reads and answers: camelCase JSON, ids as UUID strings, prices as numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer
from pydantic.alias_generators import to_camel

from orders.domain import Order
from ticketing_common.contracts import is_uuid
from ticketing_common.events import OrderStatus
from ticketing_common.validation import MissingMessage, RequestModel
from ticketing_common.wire import Timestamp, Uuid

TICKET_ID_REQUIRED = "TicketId must be provided"


def _json_number(price: Decimal) -> int | float:
    """20 for 20.00, 19.99 for 19.99: the shortest float text of a 2-decimal price is exact."""
    return int(price) if price == price.to_integral_value() else float(price)


JsonPrice = Annotated[Decimal, PlainSerializer(_json_number, when_used="json")]
"""A price kept exact in Python, written as a JSON number."""


def _ticket_id(value: Any) -> UUID:
    if isinstance(value, str) and is_uuid(value):
        return UUID(value)
    raise ValueError(TICKET_ID_REQUIRED)


class OrderIn(RequestModel):
    """POST /api/orders."""

    ticket_id: Annotated[UUID, MissingMessage(TICKET_ID_REQUIRED), BeforeValidator(_ticket_id)] = (
        Field(alias="ticketId")
    )


class ApiModel(BaseModel):
    """A response body: camelCase names on the wire."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class TicketOut(ApiModel):
    id: Uuid
    title: str
    price: JsonPrice
    version: int


class OrderOut(ApiModel):
    """An order; `refunded` when its payment was given back (a cancellation won the race)."""

    id: Uuid
    user_id: Uuid
    status: OrderStatus
    expires_at: Timestamp
    ticket: TicketOut
    version: int
    refunded: bool

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        ticket = order.ticket
        return cls(
            id=order.id,
            user_id=order.user_id,
            status=order.status,
            expires_at=order.expires_at,
            ticket=TicketOut(
                id=ticket.id, title=ticket.title, price=ticket.price, version=ticket.version
            ),
            version=order.version,
            refunded=order.refunded,
        )
