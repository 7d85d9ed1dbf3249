"""What Stripe (or localstripe) holds for a run's orders: charges and their refunds."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, cast

import stripe

from ticketing_harness.load.stores import StoreUnreachable
from ticketing_harness.local.access import StripeAccess

PAGE = 100  # Stripe's largest page


@dataclass(frozen=True)
class Charge:
    """A succeeded PaymentIntent for an order, and how much of it was refunded."""

    intent_id: str
    order_id: str
    amount_cents: int
    refunded_cents: int

    @property
    def kept_cents(self) -> int:
        return self.amount_cents - self.refunded_cents


async def charges_for(access: StripeAccess, order_ids: Collection[str]) -> list[Charge]:
    """The succeeded charges whose metadata names one of the orders, with their refunds."""
    http = stripe.HTTPXClient()
    client = stripe.StripeClient(
        access.api_key, base_addresses={"api": access.api_base}, http_client=http
    )
    try:
        return await _charges(client, order_ids)
    except stripe.APIConnectionError as error:
        raise StoreUnreachable("Stripe", access.api_base, error) from None
    finally:
        await cast("Any", http).close_async()  # untyped in the SDK


async def _charges(client: stripe.StripeClient, order_ids: Collection[str]) -> list[Charge]:
    intents = await client.v1.payment_intents.list_async(params={"limit": PAGE})
    ours = [
        intent
        async for intent in intents.auto_paging_iter()
        if intent.status == "succeeded" and _order_of(intent) in order_ids
    ]
    refunded: dict[str, int] = {}
    if ours:
        refunds = await client.v1.refunds.list_async(params={"limit": PAGE})
        async for refund in refunds.auto_paging_iter():
            if refund.status == "succeeded" and isinstance(refund.payment_intent, str):
                intent_id = refund.payment_intent
                refunded[intent_id] = refunded.get(intent_id, 0) + refund.amount
    return [
        Charge(intent.id, _order_of(intent), intent.amount, refunded.get(intent.id, 0))
        for intent in ours
    ]


def _order_of(intent: Any) -> str:
    metadata = intent.metadata.to_dict() if intent.metadata else {}
    return str(metadata.get("order_id", ""))
