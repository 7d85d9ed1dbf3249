"""The order life cycle, without any I/O."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from orders.domain import (
    CompletedOrderNotCancellable,
    Order,
    Ticket,
)
from ticketing_common.errors import Forbidden
from ticketing_common.events import OrderCancelled, OrderCompleted, OrderCreated, OrderStatus

NOW = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)


def placed_order() -> Order:
    ticket = Ticket(id=uuid.uuid4(), title="Concert", price=Decimal("19.99"), version=0)
    order = Order.place(user_id=uuid.uuid4(), ticket=ticket, now=NOW, window=timedelta(minutes=15))
    order.pop_events()
    return order


def paid_order() -> Order:
    order = placed_order()
    order.complete()
    order.pop_events()
    return order


def cancelled_order() -> Order:
    order = placed_order()
    order.cancel()
    order.pop_events()
    return order


def test_placed_order_is_created_at_version_zero_and_expires_after_the_window() -> None:
    ticket = Ticket(id=uuid.uuid4(), title="Concert", price=Decimal("19.99"), version=3)
    order = Order.place(user_id=uuid.uuid4(), ticket=ticket, now=NOW, window=timedelta(seconds=90))
    assert (order.status, order.version) == (OrderStatus.CREATED, 0)
    assert order.expires_at == NOW + timedelta(seconds=90)
    [event] = order.pop_events()
    assert isinstance(event, OrderCreated)
    assert (event.id, event.version, event.expires_at) == (order.id, 0, order.expires_at)
    assert (event.ticket.id, event.ticket.price) == (ticket.id, Decimal("19.99"))


def test_cancel_of_an_unpaid_order_bumps_the_version_and_emits_order_cancelled() -> None:
    order = placed_order()
    order.cancel()
    assert (order.status, order.version) == (OrderStatus.CANCELLED, 1)
    assert order.pop_events() == [
        OrderCancelled.model_validate(
            {"id": order.id, "version": 1, "ticket": {"id": order.ticket.id}}
        )
    ]


def test_cancel_of_a_cancelled_order_changes_nothing() -> None:
    order = cancelled_order()
    order.cancel()
    assert (order.status, order.version, order.pop_events()) == (OrderStatus.CANCELLED, 1, [])


def test_cancel_of_a_completed_order_is_refused() -> None:
    order = paid_order()
    with pytest.raises(CompletedOrderNotCancellable, match="Cannot cancel a completed order"):
        order.cancel()
    assert (order.status, order.version, order.pop_events()) == (OrderStatus.COMPLETE, 1, [])


def test_expiry_cancels_an_unpaid_order() -> None:
    order = placed_order()
    order.expire()
    assert (order.status, order.version) == (OrderStatus.CANCELLED, 1)
    assert [type(e) for e in order.pop_events()] == [OrderCancelled]


@pytest.mark.parametrize("make", [paid_order, cancelled_order], ids=["complete", "cancelled"])
def test_expiry_of_a_complete_or_cancelled_order_changes_nothing(make: Callable[[], Order]) -> None:
    order = make()
    before = (order.status, order.version)
    order.expire()
    assert ((order.status, order.version), order.pop_events()) == (before, [])


def test_payment_completes_an_unpaid_order_and_emits_order_completed() -> None:
    order = placed_order()
    order.complete()
    assert (order.status, order.version) == (OrderStatus.COMPLETE, 1)
    [event] = order.pop_events()
    assert isinstance(event, OrderCompleted)
    assert (event.id, event.version, event.ticket.id) == (order.id, 1, order.ticket.id)


def test_payment_for_a_cancelled_order_leaves_it_cancelled() -> None:
    order = cancelled_order()
    order.complete()
    assert (order.status, order.version, order.pop_events()) == (OrderStatus.CANCELLED, 1, [])


def test_a_second_payment_changes_nothing() -> None:
    order = paid_order()
    order.complete()
    assert (order.status, order.version, order.pop_events()) == (OrderStatus.COMPLETE, 1, [])


def test_only_the_buyer_passes_the_owner_check() -> None:
    order = placed_order()
    order.check_owner(order.user_id)
    with pytest.raises(Forbidden):
        order.check_owner(uuid.uuid4())
