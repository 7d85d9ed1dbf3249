"""What the ticket pages offer, by the ticket's state and who looks: the rules alone."""

from __future__ import annotations

from typing import Any

import pytest

from client.ticket_view import TicketState, TicketView

SELLER = {"id": "seller", "email": "seller@example.com"}
BUYER = {"id": "buyer", "email": "buyer@example.com"}


def _ticket(order_id: str | None = None, sold: bool = False) -> dict[str, Any]:
    return {"id": "t", "userId": SELLER["id"], "orderId": order_id, "sold": sold}


@pytest.mark.parametrize(
    ("ticket", "state"),
    [
        (_ticket(), TicketState.FOR_SALE),
        (_ticket("o"), TicketState.RESERVED),
        (_ticket("o", sold=True), TicketState.SOLD),
    ],
)
def test_the_state_comes_from_the_order_holding_the_ticket_and_its_payment(
    ticket: dict[str, Any], state: TicketState
) -> None:
    assert TicketView(ticket, BUYER).state is state


def test_only_another_signed_in_user_may_buy_a_ticket_for_sale() -> None:
    assert TicketView(_ticket(), BUYER).can_buy
    assert not TicketView(_ticket(), SELLER).can_buy
    assert not TicketView(_ticket(), None).can_buy
    assert TicketView(_ticket(), None).must_sign_in_to_buy
    for held in (_ticket("o"), _ticket("o", sold=True)):
        assert not TicketView(held, BUYER).can_buy
        assert not TicketView(held, None).must_sign_in_to_buy


def test_only_the_seller_may_edit_and_only_while_no_order_holds_the_ticket() -> None:
    assert TicketView(_ticket(), SELLER).can_edit
    assert not TicketView(_ticket(), BUYER).can_edit
    assert not TicketView(_ticket("o"), SELLER).can_edit
    assert not TicketView(_ticket("o", sold=True), SELLER).can_edit
