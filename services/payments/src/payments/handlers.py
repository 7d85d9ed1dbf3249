"""Use cases of the payments service: pay for an order, keep the order replica, refund.

No double charge: an order is claimed in the database (a pending payment, one per order)
before Stripe is called, so a second request for the order is refused without reaching
Stripe. A claim whose charge was interrupted (crash, Stripe unreachable) is replayed with
the same request and idempotency key once its lease runs out, by the next payment attempt
or by the order's cancellation.

Never charged for a ticket not received: a cancellation that finds a charged payment refunds
it. The replica row is locked while a claim is taken and while a cancellation is applied,
so either the claim sees the order cancelled (400) or the cancellation sees the claim.

Crashes, and what follows:
- after the claim, before or during the charge: the claim stays pending; once its lease
  runs out, the next attempt or the order's cancellation replays the charge with the same
  idempotency key, which Stripe answers with the original outcome (no second charge).
  localstripe ignores keys, so there the replay of a charge that did happen charges again;
  the cancellation path refunds what it replays.
- during the refund, before its commit: the payment row is still charged and the
  cancellation is not acked; the redelivery finds the refund already at Stripe (listed by
  PaymentIntent, key-independent) and records it, so the user is refunded exactly once.
- after a commit, before the ack: the redelivery finds the state done and changes nothing;
  the events left through the outbox in the committing transaction.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from payments import repository
from payments.domain import AlreadyPaid, OrderReplica, Payment, PaymentState
from payments.stripe_gateway import MAX_CALL_SECONDS, NOT_CHARGED, StripeGateway
from ticketing_common.db import Connection
from ticketing_common.errors import NotFound
from ticketing_common.events import (
    OrderCancelled,
    OrderCompleted,
    OrderCreated,
    OrderStatus,
    PaymentCreated,
    PaymentRefunded,
)
from ticketing_common.listeners import Retry
from ticketing_common.outbox import enqueue
from ticketing_common.versioning import ReplicaChange, replica_change

PRODUCER = "payments"
# A claimant owns its charge this long; well past the longest possible Stripe call.
CLAIM_LEASE_SECONDS = 2 * MAX_CALL_SECONDS


@dataclass(frozen=True)
class Deps:
    """What the use cases talk to."""

    pool: asyncpg.Pool
    gateway: StripeGateway
    claim_lease_seconds: float = CLAIM_LEASE_SECONDS


async def pay(deps: Deps, *, user_id: UUID, order_id: UUID, token: str) -> UUID:
    """Charge the order's price to `token` once; returns the payment id."""
    claim = await _claim(deps, user_id=user_id, order_id=order_id, token=token)
    await settle_claim(deps, claim)
    return claim.id


async def _claim(deps: Deps, *, user_id: UUID, order_id: UUID, token: str) -> Payment:
    async with deps.pool.acquire() as conn, conn.transaction():
        order = await repository.get_order(conn, order_id, lock="FOR SHARE")
        if order is None:
            raise NotFound()
        order.check_payable_by(user_id)
        claim = Payment.claim(order, token)
        if await repository.insert_claim(conn, claim, deps.claim_lease_seconds):
            return claim
        stale = await repository.take_over_stale_claim(conn, order_id, deps.claim_lease_seconds)
        if stale is None:
            raise AlreadyPaid()
        return stale


async def settle_claim(deps: Deps, claim: Payment) -> None:
    """Make the claim's charge and record it with its payment.created event.

    A definite refusal releases the claim; an unknown outcome keeps it for a replay.
    """
    try:
        stripe_id = await deps.gateway.charge(
            amount_cents=claim.amount_cents,
            token=claim.token,
            idempotency_key=claim.idempotency_key,
            metadata=claim.charge_metadata,
        )
    except NOT_CHARGED:
        async with deps.pool.acquire() as conn:
            await repository.release_claim(conn, claim.id)
        raise
    except Exception:
        async with deps.pool.acquire() as conn:
            await repository.end_lease(conn, claim.id)
        raise
    async with deps.pool.acquire() as conn, conn.transaction():
        if await repository.mark_charged(conn, claim.id, stripe_id):
            event = PaymentCreated(id=claim.id, order_id=claim.order_id, stripe_id=stripe_id)
            await enqueue(conn, event, producer=PRODUCER)


async def on_order_created(conn: Connection, event: OrderCreated) -> None:
    """Replicate a new order; a duplicate changes nothing."""
    await repository.insert_order(conn, OrderReplica.from_event(event))


async def on_order_completed(conn: Connection, event: OrderCompleted) -> None:
    """The order was paid: mark the replica complete (exactly-next-version rule)."""
    await _apply_status(conn, event.id, event.version, OrderStatus.COMPLETE)


async def on_order_cancelled(deps: Deps, event: OrderCancelled) -> None:
    """Mark the replica cancelled, then refund the order's payment if it has one."""
    async with deps.pool.acquire() as conn, conn.transaction():
        await _apply_status(conn, event.id, event.version, OrderStatus.CANCELLED)
    # Also on a duplicate: a refund interrupted by a crash is finished by the redelivery.
    await refund_if_owed(deps, event.id)


async def _apply_status(
    conn: Connection, order_id: UUID, version: int, status: OrderStatus
) -> None:
    order = await repository.get_order(conn, order_id, lock="FOR UPDATE")
    if order is None:
        raise Retry(f"order {order_id} is not replicated yet")
    step = replica_change(order.version, version)
    if step is ReplicaChange.GAP:
        raise Retry(f"order {order_id} is at version {order.version}, event has {version}")
    if step is ReplicaChange.APPLY:
        await repository.set_order_status(conn, order, status)


async def refund_if_owed(deps: Deps, order_id: UUID) -> None:
    """Refund the charge of a cancelled order, once; wait out a charge still in flight."""
    await _resolve_pending_claim(deps, order_id)
    async with deps.pool.acquire() as conn, conn.transaction():
        order = await repository.get_order(conn, order_id)
        payment = await repository.payment_for_order(conn, order_id, for_update=True)
        if order is None or order.status is not OrderStatus.CANCELLED:
            return
        if payment is None or payment.state is not PaymentState.CHARGED:
            return
        assert payment.stripe_id is not None
        # A crash after this call and before the commit leaves the payment charged; the
        # redelivered cancellation finds the refund at Stripe and records it, once.
        refund_id = await deps.gateway.refund(
            payment.stripe_id, idempotency_key=payment.refund_idempotency_key
        )
        await repository.mark_refunded(conn, payment.id, refund_id)
        event = PaymentRefunded(
            id=payment.id,
            order_id=payment.order_id,
            stripe_id=payment.stripe_id,
            stripe_refund_id=refund_id,
        )
        await enqueue(conn, event, producer=PRODUCER)


async def _resolve_pending_claim(deps: Deps, order_id: UUID) -> None:
    """Settle an interrupted claim by replaying its charge; Retry while its claimant is on it."""
    async with deps.pool.acquire() as conn, conn.transaction():
        payment = await repository.payment_for_order(conn, order_id)
        if payment is None or payment.state is not PaymentState.PENDING:
            return
        stale = await repository.take_over_stale_claim(conn, order_id, deps.claim_lease_seconds)
    if stale is None:
        raise Retry(f"a charge for order {order_id} is in flight")
    with contextlib.suppress(*NOT_CHARGED):
        await settle_claim(deps, stale)
