"""POST /api/payments on real PostgreSQL, JetStream and localstripe."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from decimal import Decimal

import asyncpg
import httpx
import pytest

from payments.app import create_app
from payments.config import Settings
from payments.stripe_gateway import GENERIC_DECLINE, UNKNOWN_METHOD
from ticketing_common.bus import Bus
from ticketing_common.events import EventData, OrderCreated, OrderStatus
from ticketing_harness.evidence.stripe import StripeReader
from ticketing_harness.servers import StripeServer
from ticketing_harness.testing.asgi import serve
from ticketing_harness.testing.bus import publish, published
from ticketing_harness.waiting import eventually

from ..support import (
    order_cancelled,
    order_completed,
    pay_as_buyer,
    payment_row,
    replica_reaches,
    replicated_order,
    signed_in,
)

URL = "/api/payments"


async def test_unknown_order_is_404(client: httpx.AsyncClient, settings: Settings) -> None:
    body = {"orderId": str(uuid.uuid4()), "token": "pm_card_visa"}
    response = await client.post(URL, json=body, headers=signed_in(settings))
    assert response.status_code == 404
    assert response.json() == {"errors": [{"message": "Not Found"}]}


async def test_paying_without_signing_in_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json={"orderId": str(uuid.uuid4()), "token": "pm_card_visa"})
    assert response.status_code == 401


async def test_missing_fields_are_named(client: httpx.AsyncClient, settings: Settings) -> None:
    response = await client.post(URL, json={}, headers=signed_in(settings))
    assert response.status_code == 400
    assert sorted(response.json()["errors"], key=lambda e: e["field"]) == [
        {"message": "Order id is required", "field": "orderId"},
        {"message": "Token is required", "field": "token"},
    ]


async def test_malformed_order_id_and_blank_token_are_named(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    body = {"orderId": "not-an-id", "token": "  "}
    response = await client.post(URL, json=body, headers=signed_in(settings))
    assert response.status_code == 400
    assert sorted(response.json()["errors"], key=lambda e: e["field"]) == [
        {"message": "Order id must be a valid id", "field": "orderId"},
        {"message": "Token is required", "field": "token"},
    ]


async def test_paying_another_users_order_is_403_and_charges_nothing(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
) -> None:
    order = await replicated_order(bus, db)
    body = {"orderId": str(order.id), "token": "pm_card_visa"}
    response = await client.post(URL, json=body, headers=signed_in(settings))
    assert response.status_code == 403
    assert await stripe_ledger.intents() == []
    assert await payment_row(db, order.id) is None


@pytest.mark.parametrize(
    ("ended", "status", "message"),
    [
        (order_cancelled, OrderStatus.CANCELLED, "Cannot pay for a cancelled order"),
        (order_completed, OrderStatus.COMPLETE, "Order already paid"),
    ],
)
async def test_ended_order_is_refused_and_never_charged(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
    ended: Callable[[OrderCreated], EventData],
    status: OrderStatus,
    message: str,
) -> None:
    order = await replicated_order(bus, db)
    await publish(bus, ended(order))
    await replica_reaches(db, order.id, 1, status)
    response = await pay_as_buyer(client, settings, order)
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": message}]}
    assert await stripe_ledger.intents() == []
    assert await payment_row(db, order.id) is None


@pytest.mark.parametrize("price", ["19.99", "4.35", "0.29", "1234.56"])
async def test_payment_charges_the_exact_price_in_cents_and_is_announced(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
    price: str,
) -> None:
    order = await replicated_order(bus, db, price=price)
    response = await pay_as_buyer(client, settings, order)
    assert response.status_code == 201
    payment_id = response.json()["id"]
    [charge] = await stripe_ledger.charges_for(order.id)
    assert charge.amount == int(Decimal(price) * 100)
    assert charge.currency == "usd"
    row = await payment_row(db, order.id)
    assert row is not None
    assert (str(row["id"]), row["stripe_id"], row["state"]) == (payment_id, charge.id, "charged")
    [event] = await eventually(lambda: published(bus, "payment.created"))
    assert event.producer == "payments"
    assert event.data == {"id": payment_id, "orderId": str(order.id), "stripeId": charge.id}


async def test_second_payment_is_refused_and_charges_once(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
) -> None:
    order = await replicated_order(bus, db)
    headers = signed_in(settings, order.user_id)
    body = {"orderId": str(order.id), "token": "pm_card_visa"}
    first = await client.post(URL, json=body, headers=headers)
    second = await client.post(URL, json=body, headers=headers)
    assert first.status_code == 201
    assert second.status_code == 400
    assert second.json() == {"errors": [{"message": "Order already paid"}]}
    assert len(await stripe_ledger.charges_for(order.id)) == 1
    assert len(await stripe_ledger.intents()) == 1


async def test_concurrent_payments_for_one_order_charge_once(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
) -> None:
    order = await replicated_order(bus, db)
    headers = signed_in(settings, order.user_id)
    body = {"orderId": str(order.id), "token": "pm_card_visa"}
    attempts = [client.post(URL, json=body, headers=headers) for _ in range(20)]
    responses = await asyncio.gather(*attempts)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [400] * 19
    refused = {r.json()["errors"][0]["message"] for r in responses if r.status_code == 400}
    assert refused == {"Order already paid"}
    assert len(await stripe_ledger.intents()) == 1
    assert await db.fetchval("SELECT count(*) FROM payments") == 1


async def test_declined_card_is_402_stores_nothing_and_another_card_can_pay(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
) -> None:
    order = await replicated_order(bus, db, price="19.99")
    headers = signed_in(settings, order.user_id)
    declined = await client.post(
        URL, json={"orderId": str(order.id), "token": "pm_card_chargeCustomerFail"}, headers=headers
    )
    assert declined.status_code == 402
    assert declined.json() == {"errors": [{"message": GENERIC_DECLINE, "field": "token"}]}
    assert await payment_row(db, order.id) is None
    assert await db.fetchval("SELECT count(*) FROM outbox") == 0
    assert await stripe_ledger.charges_for(order.id) == []

    paid = await client.post(
        URL, json={"orderId": str(order.id), "token": "pm_card_visa"}, headers=headers
    )
    assert paid.status_code == 201
    [charge] = await stripe_ledger.charges_for(order.id)
    assert charge.amount == 1999


async def test_unknown_payment_method_is_400_on_the_token_and_stores_nothing(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
) -> None:
    order = await replicated_order(bus, db)
    response = await pay_as_buyer(client, settings, order, "pm_no_such_method")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": UNKNOWN_METHOD, "field": "token"}]}
    assert await payment_row(db, order.id) is None
    assert await stripe_ledger.charges_for(order.id) == []


async def test_unreachable_stripe_keeps_the_claim_and_a_retry_charges_once(
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    private_stripe_server: StripeServer,
) -> None:
    own_stripe = settings.model_copy(update={"stripe_api_base": private_stripe_server.api_base})
    async with serve(create_app(own_stripe)) as client:
        order = await replicated_order(bus, db)
        body = {"orderId": str(order.id), "token": "pm_card_visa"}
        headers = signed_in(own_stripe, order.user_id)
        private_stripe_server.stop()
        unknown = await client.post(URL, json=body, headers=headers)
        assert unknown.status_code == 503
        claim = await payment_row(db, order.id)
        assert claim is not None and claim["state"] == "pending"

        private_stripe_server.start()
        retried = await client.post(URL, json=body, headers=headers)
        assert retried.status_code == 201
        assert retried.json() == {"id": str(claim["id"])}
        ledger = StripeReader(private_stripe_server.api_base)
        try:
            assert len(await ledger.charges_for(order.id)) == 1
        finally:
            await ledger.close()


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("pm_card_chargeDeclined", "Your card was declined. Try another card."),
        (
            "pm_card_chargeDeclinedInsufficientFunds",
            "Your card has insufficient funds. Try another card.",
        ),
        (
            "pm_card_chargeDeclinedExpiredCard",
            "Your card has expired. Check its expiry date or try another card.",
        ),
        (
            "pm_card_chargeDeclinedIncorrectCvc",
            "Your card's security code is incorrect. Check it and try again.",
        ),
        ("pm_card_chargeDeclinedLostCard", "Your card was declined. Try another card."),
    ],
)
async def test_each_usual_decline_tells_the_buyer_what_happened_and_stores_nothing(
    client: httpx.AsyncClient,
    settings: Settings,
    bus: Bus,
    db: asyncpg.Connection,
    stripe_ledger: StripeReader,
    token: str,
    message: str,
) -> None:
    order = await replicated_order(bus, db)
    response = await pay_as_buyer(client, settings, order, token)
    assert response.status_code == 402
    assert response.json() == {"errors": [{"message": message, "field": "token"}]}
    assert await payment_row(db, order.id) is None
    assert await stripe_ledger.charges_for(order.id) == []
