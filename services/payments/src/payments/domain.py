"""Payments' model, free of I/O: the order replica, payment states, amounts and version rules."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from ticketing_common.aggregate import Aggregate
from ticketing_common.errors import BadRequest, Forbidden
from ticketing_common.events import OrderCreated, OrderStatus, PaymentCreated, PaymentRefunded


class AlreadyPaid(BadRequest):
    """The order has a payment (charged or being charged), or its source says it is complete."""

    def __init__(self) -> None:
        super().__init__("Order already paid")


class OrderCancelledError(BadRequest):
    """A cancelled order is never charged."""

    def __init__(self) -> None:
        super().__init__("Cannot pay for a cancelled order")


def amount_in_cents(price: Decimal) -> int:
    """The exact integer number of cents of a price; refuses fractions of a cent."""
    cents = price.scaleb(2)
    if cents != cents.to_integral_value():
        raise ValueError(f"price {price} is not a whole number of cents")
    return int(cents)


@dataclass(frozen=True)
class OrderReplica:
    """What payments knows of an order: who pays, how much, and its status at `version`."""

    id: UUID
    version: int
    user_id: UUID
    price: Decimal
    status: OrderStatus

    @classmethod
    def from_event(cls, event: OrderCreated) -> OrderReplica:
        return cls(
            id=event.id,
            version=event.version,
            user_id=event.user_id,
            price=event.ticket.price,
            status=event.status,
        )

    @property
    def amount_cents(self) -> int:
        return amount_in_cents(self.price)

    def claim_payment(self, *, by: UUID, token: str) -> Payment:
        """The buyer's claim to pay `token` for this order; never for a cancelled or paid one."""
        if self.user_id != by:
            raise Forbidden()
        if self.status is OrderStatus.CANCELLED:
            raise OrderCancelledError()
        if self.status is OrderStatus.COMPLETE:
            raise AlreadyPaid()
        return Payment.claim(self, token)


class PaymentState(StrEnum):
    """Where a payment is; pending and refunding are claims on a Stripe call in flight.

    pending: the charge is claimed, in flight or its outcome unknown; charged;
    refunding: the refund is claimed, in flight or its outcome unknown; refunded.
    """

    PENDING = "pending"
    CHARGED = "charged"
    REFUNDING = "refunding"
    REFUNDED = "refunded"


@dataclass
class Payment(Aggregate):
    """One payment per order; a pending one is the claim taken before Stripe is called.

    The claim keeps the exact charge request (amount, token, idempotency key) so that
    whoever resolves an interrupted charge replays the same request. A change of state
    that did not apply (the payment moved on already) changes nothing.
    """

    id: UUID
    order_id: UUID
    state: PaymentState
    amount_cents: int
    token: str
    idempotency_key: str
    stripe_id: str | None = None
    stripe_refund_id: str | None = None

    @classmethod
    def claim(cls, order: OrderReplica, token: str) -> Payment:
        """A new claim on `order`; its idempotency key is derived from the order and the claim."""
        payment_id = uuid.uuid4()
        return cls(
            id=payment_id,
            order_id=order.id,
            state=PaymentState.PENDING,
            amount_cents=order.amount_cents,
            token=token,
            idempotency_key=f"payments-charge-{order.id}-{payment_id}",
        )

    def record_charge(self, stripe_id: str) -> None:
        """Stripe charged the claim: the payment is charged, announced by payment.created."""
        if self.state is not PaymentState.PENDING:
            return
        self.state, self.stripe_id = PaymentState.CHARGED, stripe_id
        self.record(PaymentCreated(id=self.id, order_id=self.order_id, stripe_id=stripe_id))

    def start_refund(self) -> None:
        """Claim the refund of a charged payment, before Stripe is asked for it."""
        if self.state is PaymentState.CHARGED:
            self.state = PaymentState.REFUNDING

    def record_refund(self, refund_id: str) -> None:
        """Stripe refunded the charge: the payment is refunded, announced by payment.refunded."""
        if self.state is not PaymentState.REFUNDING:
            return
        assert self.stripe_id is not None, "a refunding payment was charged"
        self.state, self.stripe_refund_id = PaymentState.REFUNDED, refund_id
        self.record(
            PaymentRefunded(
                id=self.id,
                order_id=self.order_id,
                stripe_id=self.stripe_id,
                stripe_refund_id=refund_id,
            )
        )

    @property
    def refund_idempotency_key(self) -> str:
        return f"payments-refund-{self.order_id}-{self.id}"

    @property
    def charge_metadata(self) -> dict[str, str]:
        """What the charge carries on Stripe, to find it from an order."""
        return {"order_id": str(self.order_id), "payment_id": str(self.id)}
