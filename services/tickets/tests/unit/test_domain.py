"""Ticket rules: who may edit, when, and how reserve and release move the version."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from ticketing_common.events import TicketCreated, TicketUpdated
from tickets.domain import HeldByAnotherOrder, NotOwner, Ticket, TicketReserved

SELLER = uuid4()


def listed() -> Ticket:
    ticket = Ticket.list_for_sale(title="Concert", price=Decimal("20.00"), user_id=SELLER)
    ticket.pop_events()
    return ticket


def updates(ticket: Ticket) -> list[tuple[int, UUID | None]]:
    changes = [event for event in ticket.pop_events() if isinstance(event, TicketUpdated)]
    return [(event.version, event.order_id) for event in changes]


def test_listed_ticket_is_free_at_version_0_and_announced() -> None:
    ticket = Ticket.list_for_sale(title="Concert", price=Decimal("20.00"), user_id=SELLER)
    assert (ticket.version, ticket.order_id) == (0, None)
    assert ticket.pop_events() == [
        TicketCreated(
            id=ticket.id, version=0, title="Concert", price=Decimal("20.00"), user_id=SELLER
        )
    ]


def test_seller_edit_bumps_the_version_and_is_announced() -> None:
    ticket = listed()
    ticket.edit(by=SELLER, title="New title", price=Decimal("100.00"))
    assert (ticket.title, ticket.price, ticket.version) == ("New title", Decimal("100.00"), 1)
    assert updates(ticket) == [(1, None)]


def test_every_edit_bumps_the_version_even_without_changes() -> None:
    ticket = listed()
    for _ in range(2):
        ticket.edit(by=SELLER, title=ticket.title, price=ticket.price)
    assert [version for version, _ in updates(ticket)] == [1, 2]


def test_only_the_seller_may_edit() -> None:
    ticket = listed()
    with pytest.raises(NotOwner):
        ticket.edit(by=uuid4(), title="Mine now", price=Decimal("1.00"))
    assert (ticket.title, ticket.version, ticket.pop_events()) == ("Concert", 0, [])


def test_non_owner_is_refused_before_learning_the_ticket_is_reserved() -> None:
    ticket = listed()
    ticket.reserve(uuid4())
    with pytest.raises(NotOwner):
        ticket.edit(by=uuid4(), title="x", price=Decimal("1.00"))


def test_update_rejected_while_reserved() -> None:
    ticket = listed()
    ticket.reserve(uuid4())
    with pytest.raises(TicketReserved, match="Cannot edit a reserved ticket"):
        ticket.edit(by=SELLER, title="x", price=Decimal("1.00"))
    assert ticket.version == 1


def test_reserve_sets_the_order_and_announces_it() -> None:
    ticket, order = listed(), uuid4()
    ticket.reserve(order)
    assert (ticket.order_id, ticket.reserved) == (order, True)
    assert updates(ticket) == [(1, order)]


def test_reserving_again_for_the_same_order_changes_nothing() -> None:
    ticket, order = listed(), uuid4()
    ticket.reserve(order)
    ticket.reserve(order)
    assert ticket.version == 1
    assert len(ticket.pop_events()) == 1


def test_another_order_cannot_take_a_held_ticket() -> None:
    ticket, first = listed(), uuid4()
    ticket.reserve(first)
    with pytest.raises(HeldByAnotherOrder):
        ticket.reserve(uuid4())
    assert ticket.order_id == first


def test_release_by_the_holding_order_frees_the_ticket() -> None:
    ticket, order = listed(), uuid4()
    ticket.reserve(order)
    ticket.release(order)
    assert (ticket.order_id, ticket.version) == (None, 2)
    assert updates(ticket) == [(1, order), (2, None)]


def test_stale_cancel_of_another_order_changes_nothing() -> None:
    ticket, current = listed(), uuid4()
    ticket.reserve(current)
    ticket.release(uuid4())
    assert (ticket.order_id, ticket.version) == (current, 1)


def test_cancel_of_a_free_ticket_changes_nothing() -> None:
    ticket = listed()
    ticket.release(uuid4())
    assert (ticket.version, ticket.pop_events()) == (0, [])
