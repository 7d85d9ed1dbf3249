"""Tickets for sale: the rules for listing, editing, reserving and releasing one; no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID, uuid4

from ticketing_common.aggregate import Aggregate
from ticketing_common.errors import BadRequest, Forbidden
from ticketing_common.events import TicketCreated, TicketUpdated
from ticketing_common.faults.canaries import Canary, disabled
from ticketing_common.validation import WHITESPACE, trimmed_pattern

MAX_TITLE_LENGTH = 200
# PostgreSQL text holds no NUL; the OpenAPI states this pattern of a title, parse_title applies it.
TITLE = trimmed_pattern(1, MAX_TITLE_LENGTH, forbidden=r"\x00")
# Stripe's largest USD charge: a dearer ticket could be listed but never paid for.
MAX_PRICE = Decimal("999999.99")
_CENT = Decimal("0.01")


class InvalidTicket(ValueError):
    """A title or price that breaks its rule; the message is what the seller is told."""


class NotOwner(Forbidden):
    """Only the seller may edit a ticket."""

    def __init__(self) -> None:
        super().__init__("You do not own this ticket")


class TicketReserved(BadRequest):
    """A ticket held by an order cannot be edited."""

    def __init__(self) -> None:
        super().__init__("Cannot edit a reserved ticket")


class HeldByAnotherOrder(Exception):
    """An order wants a ticket another order still holds (its cancel has not arrived yet)."""

    def __init__(self, ticket_id: UUID, holder: UUID) -> None:
        super().__init__(f"ticket {ticket_id} is held by order {holder}")


def parse_title(value: object) -> str:
    """A title: text, trimmed, 1 to 200 characters, storable as UTF-8 text (TITLE says so)."""
    if not isinstance(value, str) or not value.strip(WHITESPACE):
        raise InvalidTicket("Title is required")
    title = value.strip(WHITESPACE)
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidTicket(f"Title must be at most {MAX_TITLE_LENGTH} characters")
    # PostgreSQL text holds neither NUL nor the lone surrogates JSON can carry.
    if "\x00" in title or not _encodable(title):
        raise InvalidTicket("Title contains characters that are not allowed")
    return title


def parse_price(value: object) -> Decimal:
    """A price from a JSON number: > 0, at most 999,999.99, at most two decimals; exact."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise InvalidTicket("Price must be a number")
    # repr gives the shortest text that reads back as the same float: 19.99, not 19.989999...
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not amount.is_finite():
        raise InvalidTicket("Price must be a number")
    if amount <= 0:
        raise InvalidTicket("Price must be greater than 0")
    if amount > MAX_PRICE:
        raise InvalidTicket(f"Price must be at most {MAX_PRICE:,}")
    if amount != amount.quantize(_CENT):
        raise InvalidTicket("Price must have at most two decimals")
    return amount.quantize(_CENT)


@dataclass
class Ticket(Aggregate):
    """A ticket for sale; `order_id` is the order holding it, if any, and `sold` says that
    order was paid (known from order.completed, not a change of the ticket's own)."""

    id: UUID
    title: str
    price: Decimal
    user_id: UUID
    version: int = 0
    order_id: UUID | None = None
    sold: bool = False

    @classmethod
    def list_for_sale(cls, *, title: str, price: Decimal, user_id: UUID) -> Ticket:
        """A new ticket at version 0, announced by ticket.created."""
        ticket = cls(uuid4(), title, price, user_id)
        ticket.record(
            TicketCreated(id=ticket.id, version=0, title=title, price=price, user_id=user_id)
        )
        return ticket

    @property
    def reserved(self) -> bool:
        return self.order_id is not None

    def edit(self, *, by: UUID, title: str, price: Decimal) -> None:
        """Only the seller edits, and only while no order holds the ticket."""
        if by != self.user_id:
            raise NotOwner()
        if self.reserved:
            raise TicketReserved()
        self.title, self.price = title, price
        self._changed()

    def reserve(self, order_id: UUID) -> None:
        """Hold the ticket for an order; holding it for that order already changes nothing."""
        if self.order_id == order_id:
            return
        if self.order_id is not None:
            raise HeldByAnotherOrder(self.id, self.order_id)
        self.order_id = order_id
        self._changed()

    def release(self, order_id: UUID) -> None:
        """Free the ticket if that order holds it; a stale or repeated cancel changes nothing."""
        if self.order_id is None:
            return
        if self.order_id != order_id and not disabled(Canary.STALE_CANCEL_GUARD):
            return
        self.order_id = None
        self._changed()

    def _changed(self) -> None:
        self.version += 1
        self.record(
            TicketUpdated(
                id=self.id,
                version=self.version,
                title=self.title,
                price=self.price,
                user_id=self.user_id,
                order_id=self.order_id,
            )
        )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
