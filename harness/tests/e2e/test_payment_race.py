"""Pay and cancel released together, many times: each order ends paid and complete, or
cancelled with every charge refunded (which its buyer sees on the order); never charged and
cancelled, never complete and refunded.

The cancel of each race leaves a little later than the last one's, from together to 1.5 s
after the payment, so that the races cover both winners and every interleaving between.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from uuid import UUID

import httpx
import pytest

from ticketing_harness.evidence.stripe import StripeReader
from ticketing_harness.testing.stacks import RunningStack, created, unique
from ticketing_harness.waiting import eventually

pytestmark = [pytest.mark.xdist_group("stack"), pytest.mark.timeout(300)]

RACES = 16
CANCEL_STEP_SECONDS = 0.1


@pytest.fixture
async def ledger(stack: RunningStack) -> AsyncIterator[StripeReader]:
    stripe = stack.access().stripe
    assert stripe is not None, "the test stack charges localstripe"
    ledger = StripeReader(stripe.api_base, stripe.api_key)
    yield ledger
    await ledger.close()


async def _payable(buyer: httpx.AsyncClient, order_id: str) -> None:
    """Wait until payments knows the order: a payment method Stripe refuses is then a 400 on
    the token (the claim is released, nothing is charged) instead of a 404."""

    async def known() -> bool:
        body = {"orderId": order_id, "token": "pm_card_unknown"}
        response = await buyer.post("/api/payments", json=body)
        return response.status_code == 400 and response.json()["errors"][0]["field"] == "token"

    await eventually(known, timeout=15, message="payments never replicated the order")


async def _cancel_after(buyer: httpx.AsyncClient, order_id: str, delay: float) -> httpx.Response:
    await asyncio.sleep(delay)  # the race's head start, not a wait for a result
    return await buyer.delete(f"/api/orders/{order_id}")


async def _race(
    seller: httpx.AsyncClient, buyer: httpx.AsyncClient, ledger: StripeReader, delay: float
) -> tuple[int, int, str]:
    """One order paid, and cancelled `delay` seconds later; returns both answers and its end."""
    ticket = await created(seller, "/api/tickets", {"title": unique("race"), "price": 20})
    order = await created(buyer, "/api/orders", {"ticketId": ticket["id"]})
    await _payable(buyer, order["id"])
    pay, cancel = await asyncio.gather(
        buyer.post("/api/payments", json={"orderId": order["id"], "token": "pm_card_visa"}),
        _cancel_after(buyer, order["id"], delay),
    )
    assert pay.status_code in (201, 400), pay.text
    assert cancel.status_code in (204, 400), cancel.text

    async def settled() -> str | None:
        shown = (await buyer.get(f"/api/orders/{order['id']}")).json()
        charges = await ledger.charges_for(UUID(order["id"]))
        refunds = [r for c in charges for r in await ledger.refunds_of(c.id)]
        if shown["status"] == "complete" and len(charges) == 1 and not refunds:
            return "paid and complete"
        if shown["status"] == "cancelled" and len(refunds) == len(charges) == 0:
            return "cancelled before any charge"
        # The buyer is told of the refund on the order itself.
        if shown["status"] == "cancelled" and len(refunds) == len(charges) and shown["refunded"]:
            page = await buyer.get(f"/orders/{order['id']}")
            assert '<span class="status status-refunded">refunded</span>' in page.text
            return "refunded and cancelled"
        return None

    end = await eventually(settled, timeout=30, message=f"order {order['id']} never settled")
    assert end is not None
    return pay.status_code, cancel.status_code, end


async def test_a_payment_racing_a_cancel_ends_paid_and_complete_or_refunded_and_cancelled(
    seller: httpx.AsyncClient, buyer: httpx.AsyncClient, ledger: StripeReader
) -> None:
    races = (_race(seller, buyer, ledger, i * CANCEL_STEP_SECONDS) for i in range(RACES))
    outcomes = Counter(await asyncio.gather(*races))
    ends = {end for _, _, end in outcomes}
    assert "paid and complete" in ends, outcomes
    assert ends & {"refunded and cancelled", "cancelled before any charge"}, outcomes
    # Every pairing of answers is consistent with its end.
    for pay, cancel, end in outcomes:
        if end == "paid and complete":
            assert (pay, cancel) == (201, 400)
        elif end == "refunded and cancelled":
            assert (pay, cancel) == (201, 204)
        else:
            assert (pay, cancel) == (400, 204)
