"""The payments model without I/O: exact cents, who may pay, claims."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from payments.domain import (
    AlreadyPaid,
    OrderCancelledError,
    OrderReplica,
    Payment,
    PaymentState,
    amount_in_cents,
)
from ticketing_common.errors import Forbidden
from ticketing_common.events import OrderStatus, PaymentCreated, PaymentRefunded


def order(status: OrderStatus = OrderStatus.CREATED, price: str = "19.99") -> OrderReplica:
    return OrderReplica(
        id=uuid.uuid4(), version=0, user_id=uuid.uuid4(), price=Decimal(price), status=status
    )


@pytest.mark.parametrize(
    ("price", "cents"),
    # The first four come out one cent short as int(float(price) * 100).
    [
        ("19.99", 1999),
        ("4.35", 435),
        ("0.29", 29),
        ("1.15", 115),
        ("999999999.99", 99999999999),
        ("20.00", 2000),
        ("0.01", 1),
    ],
)
def test_amount_is_the_exact_integer_number_of_cents(price: str, cents: int) -> None:
    amount = amount_in_cents(Decimal(price))
    assert amount == cents
    assert type(amount) is int


def test_fraction_of_a_cent_is_refused() -> None:
    with pytest.raises(ValueError, match="cents"):
        amount_in_cents(Decimal("1.005"))


def test_only_the_buyer_may_pay() -> None:
    with pytest.raises(Forbidden):
        order().claim_payment(by=uuid.uuid4(), token="pm_card_visa")


def test_cancelled_order_cannot_be_paid() -> None:
    cancelled = order(OrderStatus.CANCELLED)
    with pytest.raises(OrderCancelledError, match="Cannot pay for a cancelled order"):
        cancelled.claim_payment(by=cancelled.user_id, token="pm_card_visa")


def test_complete_order_is_already_paid() -> None:
    complete = order(OrderStatus.COMPLETE)
    with pytest.raises(AlreadyPaid, match="Order already paid"):
        complete.claim_payment(by=complete.user_id, token="pm_card_visa")


def test_open_order_is_payable_by_its_buyer() -> None:
    payable = order(OrderStatus.CREATED, price="19.99")
    claim = payable.claim_payment(by=payable.user_id, token="pm_card_visa")
    assert (claim.order_id, claim.state, claim.amount_cents, claim.token) == (
        payable.id,
        PaymentState.PENDING,
        1999,
        "pm_card_visa",
    )


def test_claim_charges_the_order_price_with_a_key_of_its_own() -> None:
    target = order(price="19.99")
    first, second = Payment.claim(target, "pm_card_visa"), Payment.claim(target, "pm_card_visa")
    assert first.state is PaymentState.PENDING
    assert first.amount_cents == 1999
    assert first.order_id == target.id
    assert str(target.id) in first.idempotency_key
    assert first.idempotency_key != second.idempotency_key
    assert first.charge_metadata == {"order_id": str(target.id), "payment_id": str(first.id)}
    assert first.refund_idempotency_key != first.idempotency_key


def test_a_charge_makes_the_claim_charged_and_is_announced_once() -> None:
    claim = Payment.claim(order(), "pm_card_visa")
    claim.record_charge("pi_1")
    claim.record_charge("pi_2")
    assert (claim.state, claim.stripe_id) == (PaymentState.CHARGED, "pi_1")
    assert claim.pop_events() == [
        PaymentCreated(id=claim.id, order_id=claim.order_id, stripe_id="pi_1")
    ]


def test_a_refund_is_claimed_then_recorded_and_announced_once() -> None:
    payment = Payment.claim(order(), "pm_card_visa")
    payment.record_charge("pi_1")
    payment.pop_events()
    payment.start_refund()
    assert (payment.state, payment.pop_events()) == (PaymentState.REFUNDING, [])
    payment.record_refund("re_1")
    payment.record_refund("re_2")
    assert (payment.state, payment.stripe_refund_id) == (PaymentState.REFUNDED, "re_1")
    assert payment.pop_events() == [
        PaymentRefunded(
            id=payment.id, order_id=payment.order_id, stripe_id="pi_1", stripe_refund_id="re_1"
        )
    ]


def test_only_a_charged_payment_is_refunded() -> None:
    claim = Payment.claim(order(), "pm_card_visa")
    claim.start_refund()
    claim.record_refund("re_1")
    assert (claim.state, claim.stripe_refund_id, claim.pop_events()) == (
        PaymentState.PENDING,
        None,
        [],
    )
