"""Use cases of the payments service: pay for an order, keep the order replica, refund.

No double charge: an order is claimed in the database (a pending payment, one per order)
before Stripe is called, so a second request for the order is refused without reaching
Stripe. A claim whose charge was interrupted (crash, Stripe unreachable) is replayed with
the same request and idempotency key once its lease runs out, by the next payment attempt
or by the order's cancellation.

Never charged for a ticket not received: a cancellation that finds a charged payment refunds
it. The replica row is locked while a claim is taken and while a cancellation is applied,
so either the claim sees the order cancelled (400) or the cancellation sees the claim.

No lock is held while Stripe is called: a charge or a refund is claimed (pending or
refunding, with a lease) in one transaction, Stripe is called, and the outcome is recorded
in another, with its event.

Crashes, and what follows:
- after a claim, before or during its Stripe call: the claim stays; once its lease runs out,
  the next attempt or the order's cancellation replays the call with the same idempotency
  key, which Stripe answers with the original outcome (no second charge or refund).
  localstripe ignores keys, so there the replay of a charge that did happen charges again;
  the cancellation path refunds what it replays. A refund is replayed only after the
  refunds the PaymentIntent already has are listed (key-independent), so the buyer is
  refunded exactly once.
- after a commit, before the ack: the redelivery finds the state done and changes nothing;
  the events left through the outbox in the committing transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from uuid import UUID

from payments import repository
from payments.domain import AlreadyPaid, OrderReplica, Payment, PaymentState
from payments.stripe_gateway import MAX_CALL_SECONDS, NOT_CHARGED, StripeGateway
from ticketing_common import idempotency
from ticketing_common.errors import NotFound
from ticketing_common.events import OrderCancelled, OrderCompleted, OrderCreated, OrderStatus
from ticketing_common.faults.canaries import Canary, disabled
from ticketing_common.idempotency import Answer, IdempotentRequest, RequestInProgress, Stored
from ticketing_common.listeners import Retry
from ticketing_common.unit_of_work import Database, UnitOfWork
from ticketing_common.versioning import ReplicaChange, replica_change

log = logging.getLogger(__name__)

# A claimant owns its Stripe call this long; well past the longest possible call.
CLAIM_LEASE_SECONDS = 2 * MAX_CALL_SECONDS


async def pay(
    db: Database,
    gateway: StripeGateway,
    *,
    user_id: UUID,
    order_id: UUID,
    token: str,
    request: IdempotentRequest | None,
) -> Answer:
    """Charge the order's price to `token` once; a retried request gets the first answer."""
    claimed = await _claim(db, user_id=user_id, order_id=order_id, token=token, request=request)
    if isinstance(claimed, Answer):
        return claimed
    await settle_claim(db, gateway, claimed)
    return paid(claimed.id)


def paid(payment_id: UUID) -> Answer:
    """The answer to a payment request that charged: 201 and the payment's id."""
    return Answer(201, {"id": str(payment_id)})


async def _claim(
    db: Database,
    *,
    user_id: UUID,
    order_id: UUID,
    token: str,
    request: IdempotentRequest | None,
) -> Payment | Answer:
    async with db.unit_of_work() as uow:
        if (stored := await idempotency.claim(uow.conn, request)) is not None:
            return await _retried(uow, stored)
        order = await repository.get_order(uow.conn, order_id, lock="FOR SHARE")
        if order is None:
            raise NotFound()
        claim = order.claim_payment(by=user_id, token=token)
        if not await repository.insert_claim(uow.conn, claim, CLAIM_LEASE_SECONDS):
            stale = await repository.take_over_stale_claim(
                uow.conn, order_id, PaymentState.PENDING, CLAIM_LEASE_SECONDS
            )
            if stale is None:
                raise AlreadyPaid()
            claim = stale
        await idempotency.created(uow.conn, request, claim.id)
        return claim


async def _retried(uow: UnitOfWork, stored: Stored) -> Payment | Answer:
    """A retry: the first answer; or, if the first request died mid-charge, its claim to settle."""
    if stored.answer is not None:
        return stored.answer
    assert stored.resource_id is not None, "a key is stored with the claim it made"
    payment = await repository.get_payment(uow.conn, stored.resource_id)
    assert payment is not None, "a released claim takes its key along"
    if payment.state is not PaymentState.PENDING:
        answer = paid(payment.id)
        await idempotency.keep_for(uow.conn, payment.id, answer)
        return answer
    stale = await repository.take_over_stale_claim(
        uow.conn, payment.order_id, PaymentState.PENDING, CLAIM_LEASE_SECONDS
    )
    if stale is None:
        raise RequestInProgress()
    return stale


async def settle_claim(db: Database, gateway: StripeGateway, claim: Payment) -> None:
    """Make the claim's charge and record it with its payment.created event (and its answer).

    A definite refusal releases the claim, and its idempotency key; an unknown outcome
    keeps it for a replay.
    """
    try:
        stripe_id = await gateway.charge(
            amount_cents=claim.amount_cents,
            token=claim.token,
            idempotency_key=claim.idempotency_key,
            metadata=claim.charge_metadata,
        )
    except NOT_CHARGED:
        async with db.unit_of_work() as uow:
            await repository.release_claim(uow.conn, claim.id)
            await idempotency.forget(uow.conn, claim.id)
        raise
    except Exception:
        async with db.pool.acquire() as conn:
            await repository.end_lease(conn, claim.id)
        raise
    async with db.unit_of_work() as uow:
        await _record(uow, claim.id, lambda payment: payment.record_charge(stripe_id))
        await idempotency.keep_for(uow.conn, claim.id, paid(claim.id))


async def on_order_created(uow: UnitOfWork, event: OrderCreated) -> None:
    """Replicate a new order; a duplicate changes nothing."""
    await repository.insert_order(uow.conn, OrderReplica.from_event(event))


async def on_order_completed(uow: UnitOfWork, event: OrderCompleted) -> None:
    """The order was paid: mark the replica complete (exactly-next-version rule)."""
    await _apply_status(uow, event.id, event.version, OrderStatus.COMPLETE)


async def on_order_cancelled(db: Database, gateway: StripeGateway, event: OrderCancelled) -> None:
    """Mark the replica cancelled, then refund the order's payment if it has one."""
    async with db.unit_of_work() as uow:
        await _apply_status(uow, event.id, event.version, OrderStatus.CANCELLED)
    # Also on a duplicate: a refund interrupted by a crash is finished by the redelivery.
    if not disabled(Canary.EXPIRY_REFUND):
        await refund_if_owed(db, gateway, event.id)


async def _apply_status(uow: UnitOfWork, order_id: UUID, version: int, status: OrderStatus) -> None:
    order = await repository.get_order(uow.conn, order_id, lock="FOR UPDATE")
    if order is None:
        raise Retry(f"order {order_id} is not replicated yet")
    step = replica_change(order.version, version)
    if step is ReplicaChange.GAP:
        raise Retry(f"order {order_id} is at version {order.version}, event has {version}")
    if step is ReplicaChange.APPLY:
        await repository.set_order_status(uow.conn, order, status, version)


async def refund_if_owed(db: Database, gateway: StripeGateway, order_id: UUID) -> None:
    """Refund the charge of a cancelled order, once; wait out a Stripe call still in flight."""
    await _resolve_pending_claim(db, gateway, order_id)
    refund = await _claim_refund(db, order_id)
    if refund is None:
        return
    assert refund.stripe_id is not None, "a refunding payment was charged"
    try:
        refund_id = await gateway.refund(
            refund.stripe_id, idempotency_key=refund.refund_idempotency_key
        )
    except Exception:
        async with db.pool.acquire() as conn:
            await repository.end_lease(conn, refund.id)
        raise
    async with db.unit_of_work() as uow:
        await _record(uow, refund.id, lambda payment: payment.record_refund(refund_id))


async def _claim_refund(db: Database, order_id: UUID) -> Payment | None:
    """The payment a cancelled order still owes back, claimed for its refund; else None."""
    async with db.unit_of_work() as uow:
        order = await repository.get_order(uow.conn, order_id)
        payment = await repository.payment_for_order(uow.conn, order_id, for_update=True)
        if order is None or order.status is not OrderStatus.CANCELLED or payment is None:
            return None
        if payment.state is PaymentState.CHARGED:
            uow.track(payment).start_refund()
            await repository.save(uow.conn, payment, PaymentState.CHARGED)
            await repository.lease(uow.conn, payment.id, CLAIM_LEASE_SECONDS)
            return payment
        if payment.state is not PaymentState.REFUNDING:
            return None
        stale = await repository.take_over_stale_claim(
            uow.conn, order_id, PaymentState.REFUNDING, CLAIM_LEASE_SECONDS
        )
    if stale is None:
        raise Retry(f"a refund for order {order_id} is in flight")
    return stale


async def _resolve_pending_claim(db: Database, gateway: StripeGateway, order_id: UUID) -> None:
    """Settle an interrupted claim by replaying its charge; Retry while its claimant is on it."""
    async with db.unit_of_work() as uow:
        payment = await repository.payment_for_order(uow.conn, order_id)
        if payment is None or payment.state is not PaymentState.PENDING:
            return
        stale = await repository.take_over_stale_claim(
            uow.conn, order_id, PaymentState.PENDING, CLAIM_LEASE_SECONDS
        )
    if stale is None:
        raise Retry(f"a charge for order {order_id} is in flight")
    try:
        await settle_claim(db, gateway, stale)
    except NOT_CHARGED as refused:
        log.info("replayed charge for cancelled order %s was refused: %s", order_id, refused)


async def _record(uow: UnitOfWork, payment_id: UUID, change: Callable[[Payment], None]) -> None:
    """Apply a Stripe outcome to the payment and save it, with its event, if it changed it."""
    payment = await repository.get_payment(uow.conn, payment_id)
    if payment is None:
        return
    read_state = payment.state
    change(uow.track(payment))
    if payment.state is not read_state:
        await repository.save(uow.conn, payment, read_state)
