"""What Stripe (or localstripe) holds: every PaymentIntent and every refund, read from its own
records with the official SDK."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, cast

import stripe

from ticketing_harness.evidence.access import StripeAccess
from ticketing_harness.evidence.stores import StoreUnreachable

PAGE = 100  # Stripe's largest page


@dataclass(frozen=True)
class PaymentIntent:
    """A PaymentIntent, in cents; `order_id` from its metadata; `at` when it was created."""

    id: str
    order_id: str | None
    amount: int
    currency: str
    status: str
    at: float = 0.0

    @property
    def succeeded(self) -> bool:
        """Whether it charged the card: a charge."""
        return self.status == "succeeded"


@dataclass(frozen=True)
class Refund:
    """A refund of (part of) a PaymentIntent, in cents."""

    id: str
    payment_intent: str | None
    amount: int
    status: str
    at: float = 0.0


@dataclass(frozen=True)
class StripeRecords:
    """Every PaymentIntent and refund Stripe holds (or those of some orders)."""

    intents: list[PaymentIntent]
    refunds: list[Refund]

    @property
    def charges(self) -> list[PaymentIntent]:
        """The PaymentIntents that succeeded."""
        return [intent for intent in self.intents if intent.succeeded]

    def refunded(self) -> dict[str, int]:
        """Cents refunded per PaymentIntent, by succeeded refunds."""
        cents: dict[str, int] = defaultdict(int)
        for refund in self.refunds:
            if refund.status == "succeeded" and refund.payment_intent is not None:
                cents[refund.payment_intent] += refund.amount
        return dict(cents)

    def of_orders(self, order_ids: Collection[str]) -> StripeRecords:
        """The PaymentIntents of these orders, and their refunds."""
        intents = [intent for intent in self.intents if intent.order_id in order_ids]
        ids = {intent.id for intent in intents}
        return StripeRecords(intents, [r for r in self.refunds if r.payment_intent in ids])


class StripeReader:
    """Reads a Stripe API; `client` is the SDK's, for a test that makes a record itself."""

    def __init__(self, api_base: str, api_key: str = StripeAccess.api_key) -> None:
        self.api_base = api_base
        self.http = stripe.AIOHTTPClient()
        self.client = stripe.StripeClient(
            api_key, base_addresses={"api": api_base}, http_client=self.http
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await cast("Any", self.http).close_async()  # untyped in the SDK

    async def records(self) -> StripeRecords:
        """Everything it holds: every PaymentIntent and every refund."""
        return StripeRecords(await self.intents(), await self.refunds())

    async def intents(self) -> list[PaymentIntent]:
        """Every PaymentIntent, whatever its status."""
        listed = await self._list(self.client.v1.payment_intents.list_async, {})
        return [_intent(intent) for intent in listed]

    async def charges_for(self, order_id: object) -> list[PaymentIntent]:
        """The succeeded PaymentIntents carrying the order in their metadata."""
        return [i for i in await self.intents() if i.succeeded and i.order_id == str(order_id)]

    async def refunds(self) -> list[Refund]:
        """Every refund."""
        listed = await self._list(self.client.v1.refunds.list_async, {})
        return [_refund(refund) for refund in listed]

    async def refunds_of(self, payment_intent: str) -> list[Refund]:
        """The refunds of one PaymentIntent."""
        params = {"payment_intent": payment_intent}
        listed = await self._list(self.client.v1.refunds.list_async, params)
        return [_refund(refund) for refund in listed]

    async def _list(self, lister: Any, params: dict[str, str]) -> list[Any]:
        try:
            page = await lister(params={**params, "limit": PAGE})
            return [item async for item in page.auto_paging_iter()]
        except stripe.APIConnectionError as error:
            raise StoreUnreachable("Stripe", self.api_base, error) from None


async def read_stripe(access: StripeAccess) -> StripeRecords:
    """Everything a Stripe API holds, with one clear error when it cannot be reached."""
    async with StripeReader(access.api_base, access.api_key) as reader:
        return await reader.records()


def _intent(intent: Any) -> PaymentIntent:
    metadata = intent.metadata.to_dict() if intent.metadata is not None else {}
    order = metadata.get("order_id")
    return PaymentIntent(
        id=str(intent.id),
        order_id=None if order is None else str(order),
        amount=int(intent.amount),
        currency=str(intent.currency),
        status=str(intent.status),
        at=float(intent.created),
    )


def _refund(refund: Any) -> Refund:
    reference = refund.payment_intent
    # An expandable reference: an id, or the object itself.
    intent = reference if isinstance(reference, str) or reference is None else str(reference.id)
    return Refund(
        id=str(refund.id),
        payment_intent=intent,
        amount=int(refund.amount),
        status=str(refund.status),
        at=float(refund.created),
    )
