"""POST /api/payments with an Idempotency-Key: a retry gets the first answer and charges nothing."""

from __future__ import annotations

import uuid

import asyncpg
import httpx

from payments import repository
from payments.config import Settings
from payments.domain import Payment
from payments.routes import PaymentIn
from ticketing_common import idempotency
from ticketing_common.bus import Bus
from ticketing_common.events import OrderCreated
from ticketing_common.idempotency import IdempotentRequest
from ticketing_harness.evidence.stripe import StripeReader

from ..support import replicated_order, signed_in

URL = "/api/payments"


def _body(order: OrderCreated, token: str = "pm_card_visa") -> dict[str, str]:
    return {"orderId": str(order.id), "token": token}


def _keyed(settings: Settings, order: OrderCreated, key: str) -> dict[str, str]:
    return {**signed_in(settings, order.user_id), "Idempotency-Key": key}


async def test_a_retry_with_the_same_key_and_body_gets_the_first_payment_and_no_second_charge(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
) -> None:
    order = await replicated_order(bus, db)
    headers = _keyed(settings, order, str(uuid.uuid4()))
    first = await client.post(URL, json=_body(order), headers=headers)
    retry = await client.post(URL, json=_body(order), headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert len(await stripe_ledger.charges_for(order.id)) == 1


async def test_the_same_key_with_another_body_is_refused_and_charges_nothing_more(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
) -> None:
    order = await replicated_order(bus, db)
    headers = _keyed(settings, order, "pay-1")
    assert (await client.post(URL, json=_body(order), headers=headers)).status_code == 201
    other = await client.post(URL, json=_body(order, "pm_card_mastercard"), headers=headers)
    assert other.status_code == 409
    assert other.json()["errors"][0]["message"] == (
        "This Idempotency-Key was used with another request"
    )
    assert len(await stripe_ledger.intents()) == 1


async def test_a_declined_payment_frees_its_key_for_another_card(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
) -> None:
    order = await replicated_order(bus, db)
    headers = _keyed(settings, order, "pay-after-decline")
    declined = await client.post(URL, json=_body(order, "pm_card_chargeDeclined"), headers=headers)
    paid = await client.post(URL, json=_body(order), headers=headers)
    assert (declined.status_code, paid.status_code) == (402, 201)
    assert len(await stripe_ledger.charges_for(order.id)) == 1


async def test_a_retry_of_a_payment_interrupted_mid_charge_waits_then_finishes_it_once(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
) -> None:
    order = await replicated_order(bus, db)
    key = str(uuid.uuid4())
    claim = await _interrupted_payment(db, order, key)
    headers = _keyed(settings, order, key)
    while_leased = await client.post(URL, json=_body(order), headers=headers)
    assert while_leased.status_code == 409
    assert while_leased.headers["retry-after"] == "1"
    assert await stripe_ledger.intents() == []

    await repository.end_lease(db, claim.id)
    resumed = await client.post(URL, json=_body(order), headers=headers)
    again = await client.post(URL, json=_body(order), headers=headers)
    assert resumed.status_code == again.status_code == 201
    assert resumed.json() == again.json() == {"id": str(claim.id)}
    assert len(await stripe_ledger.charges_for(order.id)) == 1


async def _interrupted_payment(db: asyncpg.Connection, order: OrderCreated, key: str) -> Payment:
    """What a request with `key` leaves when its process dies while charging."""
    replica = await repository.get_order(db, order.id)
    assert replica is not None
    claim = Payment.claim(replica, "pm_card_visa")
    body = PaymentIn.model_validate(_body(order))
    request = IdempotentRequest.of(order.user_id, key, "POST /api/payments", body)
    async with db.transaction():
        assert await idempotency.claim(db, request) is None
        assert await repository.insert_claim(db, claim, lease_seconds=3600)
        await idempotency.created(db, request, claim.id)
    return claim
