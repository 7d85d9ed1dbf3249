"""Payments racing expiry end refunded; interrupted charges and refunds are finished once."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import httpx

from payments import repository
from payments.config import Settings
from payments.domain import Payment, PaymentState
from ticketing_common.bus import Bus
from ticketing_common.events import OrderCreated, OrderStatus
from ticketing_harness.evidence.stripe import StripeReader
from ticketing_harness.testing.bus import publish, published, redelivered, settled
from ticketing_harness.waiting import eventually

from ..support import (
    order_cancelled,
    pay_as_buyer,
    payment_row,
    replica_reaches,
    replicated_order,
    signed_in,
)

CANCELLATIONS = "payments-order-cancelled"


async def paid_order(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> tuple[OrderCreated, str]:
    """An order paid through the API; returns it and its payment id."""
    order = await replicated_order(bus, db, price="19.99")
    response = await pay_as_buyer(client, settings, order)
    assert response.status_code == 201
    return order, response.json()["id"]


async def refunded_row(db: asyncpg.Connection, order_id: UUID) -> dict[str, Any]:
    async def refunded() -> dict[str, Any]:
        row = await payment_row(db, order_id)
        return row if row is not None and row["state"] == "refunded" else {}

    return await eventually(refunded, message="payment never refunded")


async def claim_interrupted_charge(db: asyncpg.Connection, order: OrderCreated) -> Payment:
    """A claim left as by a process that died while charging (its lease runs for an hour)."""
    replica = await repository.get_order(db, order.id)
    assert replica is not None
    claim = Payment.claim(replica, "pm_card_visa")
    assert await repository.insert_claim(db, claim, lease_seconds=3600)
    return claim


async def test_payment_of_an_order_cancelled_afterwards_is_refunded_and_announced(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
) -> None:
    order, payment_id = await paid_order(client, settings, bus, db)
    await publish(bus, order_cancelled(order))
    row = await refunded_row(db, order.id)
    [charge] = await stripe_ledger.charges_for(order.id)
    [refund] = await stripe_ledger.refunds_of(charge.id)
    assert (refund.amount, refund.status) == (1999, "succeeded")
    assert (row["stripe_id"], row["stripe_refund_id"]) == (charge.id, refund.id)
    [event] = await eventually(lambda: published(bus, "payment.refunded"))
    assert event.producer == "payments"
    assert event.data == {
        "id": payment_id,
        "orderId": str(order.id),
        "stripeId": charge.id,
        "stripeRefundId": refund.id,
    }


async def test_redelivered_cancellation_refunds_once(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
) -> None:
    order, _ = await paid_order(client, settings, bus, db)
    await publish(bus, order_cancelled(order))
    await refunded_row(db, order.id)
    seq = await publish(bus, order_cancelled(order))  # the same event under a new id
    await settled(bus, CANCELLATIONS, seq)
    [charge] = await stripe_ledger.charges_for(order.id)
    assert len(await stripe_ledger.refunds_of(charge.id)) == 1
    assert len(await published(bus, "payment.refunded")) == 1


async def test_refund_made_before_a_crash_is_recorded_not_repeated(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
) -> None:
    order, _ = await paid_order(client, settings, bus, db)
    [charge] = await stripe_ledger.charges_for(order.id)
    # What a process that refunded and died before its commit leaves: a refund at Stripe,
    # a payment still charged here (localstripe ignores idempotency keys).
    earlier = await stripe_ledger.client.v1.refunds.create_async(
        params={"payment_intent": charge.id}
    )
    await publish(bus, order_cancelled(order))
    row = await refunded_row(db, order.id)
    assert row["stripe_refund_id"] == earlier.id
    assert [r.id for r in await stripe_ledger.refunds_of(charge.id)] == [earlier.id]


async def test_refund_interrupted_by_a_crash_is_finished_once_its_lease_runs_out(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
) -> None:
    order, _ = await paid_order(client, settings, bus, db)
    [charge] = await stripe_ledger.charges_for(order.id)
    # What a process that claimed the refund, refunded and died before recording it leaves:
    # a refund at Stripe, the payment claimed for refunding, its lease running.
    earlier = await stripe_ledger.client.v1.refunds.create_async(
        params={"payment_intent": charge.id}
    )
    payment = await repository.payment_for_order(db, order.id)
    assert payment is not None
    payment.start_refund()
    await repository.save(db, payment, PaymentState.CHARGED)
    await repository.lease(db, payment.id, 3600)
    await publish(bus, order_cancelled(order))
    await redelivered(bus, CANCELLATIONS)
    row = await payment_row(db, order.id)
    assert row is not None and row["state"] == "refunding"

    await repository.end_lease(db, payment.id)  # the claimant is gone: the lease runs out
    row = await refunded_row(db, order.id)
    assert row["stripe_refund_id"] == earlier.id
    assert [r.id for r in await stripe_ledger.refunds_of(charge.id)] == [earlier.id]
    [event] = await eventually(lambda: published(bus, "payment.refunded"))
    assert event.data["stripeRefundId"] == earlier.id


async def test_cancellation_waits_for_a_charge_in_flight_then_refunds_it(
    bus: Bus, db: asyncpg.Connection, stripe_ledger: StripeReader
) -> None:
    order = await replicated_order(bus, db)
    claim = await claim_interrupted_charge(db, order)
    await publish(bus, order_cancelled(order))
    await replica_reaches(db, order.id, 1, OrderStatus.CANCELLED)
    await redelivered(bus, CANCELLATIONS)
    row = await payment_row(db, order.id)
    assert row is not None and row["state"] == "pending"
    assert await stripe_ledger.intents() == []

    await repository.end_lease(db, claim.id)  # the claimant is gone: the lease runs out
    row = await refunded_row(db, order.id)
    [charge] = await stripe_ledger.charges_for(order.id)
    assert charge.amount == 2000
    assert len(await stripe_ledger.refunds_of(charge.id)) == 1
    assert row["id"] == claim.id
    created = await eventually(lambda: published(bus, "payment.created"))
    refunded = await eventually(lambda: published(bus, "payment.refunded"))
    assert [e.data["id"] for e in created + refunded] == [str(claim.id)] * 2


async def test_interrupted_charge_is_finished_by_the_next_attempt(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
) -> None:
    order = await replicated_order(bus, db)
    claim = await claim_interrupted_charge(db, order)
    body = {"orderId": str(order.id), "token": "pm_card_visa"}
    headers = signed_in(settings, order.user_id)
    while_leased = await client.post("/api/payments", json=body, headers=headers)
    assert while_leased.status_code == 400
    assert await stripe_ledger.intents() == []

    await repository.end_lease(db, claim.id)
    resumed = await client.post("/api/payments", json=body, headers=headers)
    assert resumed.status_code == 201
    assert resumed.json() == {"id": str(claim.id)}
    [charge] = await stripe_ledger.charges_for(order.id)
    assert len(await stripe_ledger.intents()) == 1
    row = await payment_row(db, order.id)
    assert row is not None
    assert (row["state"], row["stripe_id"]) == ("charged", charge.id)


async def test_cancelled_order_without_payment_refunds_nothing(
    bus: Bus, db: asyncpg.Connection, stripe_ledger: StripeReader
) -> None:
    order = await replicated_order(bus, db)
    seq = await publish(bus, order_cancelled(order))
    await settled(bus, CANCELLATIONS, seq)
    await replica_reaches(db, order.id, 1, OrderStatus.CANCELLED)
    assert await payment_row(db, order.id) is None
    assert await published(bus, "payment.refunded") == []
