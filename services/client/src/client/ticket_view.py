"""What a ticket is to the visitor looking at it, and so what the page offers them.

A ticket is for sale, reserved (an order holds it until paid or expired) or sold (that
order was paid). Only a signed-in visitor other than its seller may buy it, only while it
is for sale; only its seller may edit it, and only while no order holds it (the API's rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class TicketState(StrEnum):
    FOR_SALE = "for sale"
    RESERVED = "reserved"
    SOLD = "sold"


@dataclass(frozen=True)
class TicketView:
    """A ticket as the tickets API shows it, seen by a visitor (None: signed out)."""

    ticket: dict[str, Any]
    visitor: dict[str, Any] | None
    their_order: bool = False

    @property
    def state(self) -> TicketState:
        if self.ticket.get("sold"):
            return TicketState.SOLD
        if self.ticket.get("orderId"):
            return TicketState.RESERVED
        return TicketState.FOR_SALE

    @property
    def mine(self) -> bool:
        """The visitor is the seller."""
        return self.visitor is not None and self.visitor.get("id") == self.ticket.get("userId")

    @property
    def can_buy(self) -> bool:
        return self.state is TicketState.FOR_SALE and self.visitor is not None and not self.mine

    @property
    def must_sign_in_to_buy(self) -> bool:
        return self.state is TicketState.FOR_SALE and self.visitor is None

    @property
    def can_edit(self) -> bool:
        return self.mine and self.state is TicketState.FOR_SALE
