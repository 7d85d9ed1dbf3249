"""The JSON bodies of the tickets API: camelCase on the wire, prices as JSON numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema
from pydantic.alias_generators import to_camel

from ticketing_common.validation import MissingMessage, RequestModel
from tickets.domain import MAX_PRICE, MAX_TITLE_LENGTH, TITLE, Ticket, parse_price, parse_title


def _price_number(price: Decimal) -> int | float:
    # Two decimals and at most seven digits before them: the float prints back exactly.
    return int(price) if price == price.to_integral_value() else float(price)


Title = Annotated[
    str,
    BeforeValidator(parse_title),
    MissingMessage("Title is required"),
    Field(
        json_schema_extra={"pattern": f"^{TITLE}$"},
        description=f"What is sold: 1 to {MAX_TITLE_LENGTH} characters once the spaces around "
        "them are trimmed, no NUL.",
    ),
]
PriceIn = Annotated[
    Decimal,
    BeforeValidator(parse_price),
    MissingMessage("Price is required"),
    WithJsonSchema(
        {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": float(MAX_PRICE),
            "multipleOf": 0.01,
            "description": f"More than 0, at most {MAX_PRICE:,} (Stripe's largest USD charge), "
            "at most two decimals.",
        }
    ),
]
PriceOut = Annotated[
    Decimal, PlainSerializer(_price_number, return_type=float), WithJsonSchema({"type": "number"})
]


class TicketIn(RequestModel):
    """A ticket as its seller lists or edits it."""

    title: Title
    price: PriceIn


class TicketOut(BaseModel):
    """A ticket; `orderId` is the order holding it, or null; `sold` once that order is paid."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    id: UUID
    title: str
    price: PriceOut
    user_id: UUID
    version: int
    order_id: UUID | None
    sold: bool = Field(description="True once the order holding the ticket is paid.")

    @classmethod
    def of(cls, ticket: Ticket) -> TicketOut:
        return cls(
            id=ticket.id,
            title=ticket.title,
            price=ticket.price,
            user_id=ticket.user_id,
            version=ticket.version,
            order_id=ticket.order_id,
            sold=ticket.sold,
        )
