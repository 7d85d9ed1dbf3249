"""An in-memory Stripe for the deterministic mode: every charge and refund, in cents."""

from __future__ import annotations

from dataclasses import dataclass, field

from payments.stripe_gateway import StripeGateway


@dataclass
class Ledger:
    """Charges by PaymentIntent id (amount, order id) and refunds by PaymentIntent id."""

    charges: dict[str, tuple[int, str]] = field(default_factory=dict)
    refunds: dict[str, str] = field(default_factory=dict)


class LedgerGateway(StripeGateway):
    """The payments service's gateway, answering from a ledger instead of Stripe."""

    def __init__(self) -> None:  # no HTTP client: nothing leaves the process
        self.ledger = Ledger()

    async def charge(
        self, *, amount_cents: int, token: str, idempotency_key: str, metadata: dict[str, str]
    ) -> str:
        intent = f"pi_{len(self.ledger.charges) + 1}"
        self.ledger.charges[intent] = (amount_cents, metadata["order_id"])
        return intent

    async def refund(self, payment_intent_id: str, *, idempotency_key: str) -> str:
        return self.ledger.refunds.setdefault(
            payment_intent_id, f"re_{len(self.ledger.refunds) + 1}"
        )

    async def close(self) -> None:
        return None
