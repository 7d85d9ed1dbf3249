"""For tests: what a localstripe holds, read with the official SDK."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast
from uuid import UUID

import stripe


class StripeLedger:
    """What localstripe holds, read with the official SDK."""

    def __init__(self, api_base: str, api_key: str = "sk_test_ledger") -> None:
        self.http = stripe.AIOHTTPClient()
        self.client = stripe.StripeClient(
            api_key, base_addresses={"api": api_base}, http_client=self.http
        )

    async def close(self) -> None:
        await cast("Any", self.http).close_async()  # untyped in the SDK

    async def intents(self, where: Callable[[Any], bool] = lambda _: True) -> list[Any]:
        listed = await self.client.v1.payment_intents.list_async(params={"limit": 100})
        return [intent for intent in listed.data if where(intent)]

    async def charges_for(self, order_id: UUID) -> list[Any]:
        """The succeeded PaymentIntents carrying the order in their metadata."""
        return await self.intents(
            lambda i: (
                i.metadata.to_dict().get("order_id") == str(order_id) and i.status == "succeeded"
            )
        )

    async def refunds_of(self, payment_intent_id: str) -> list[Any]:
        listed = await self.client.v1.refunds.list_async(
            params={"payment_intent": payment_intent_id, "limit": 100}
        )
        return list(listed.data)
