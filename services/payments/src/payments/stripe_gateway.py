"""Stripe through the official SDK's async client: charge a PaymentIntent, refund it.

Stripe errors become our errors here, sorted by what they say about the money:
`ChargeDeclined` and `ChargeInvalid` mean nothing was charged; `ChargeOutcomeUnknown`
means Stripe may or may not have charged, so the claim must be kept and the same
request (same idempotency key) replayed later.
"""

from __future__ import annotations

import logging
from typing import Any, cast

import stripe
from stripe.params import PaymentIntentCreateParams

from ticketing_common.errors import AppError, BadRequest, PaymentFailed

log = logging.getLogger(__name__)

CURRENCY = "usd"
TIMEOUT_SECONDS = 20.0
NETWORK_RETRIES = 2
# Longest a charge call can take, the SDK's retries and their backoff included.
MAX_CALL_SECONDS = TIMEOUT_SECONDS * (NETWORK_RETRIES + 1) + 10.0
_LIVE_REFUND_STATES = {"succeeded", "pending", "requires_action"}

# What the buyer is told, by Stripe's decline_code or code; any other decline is generic, as
# Stripe advises (a lost or stolen card is not named).
DECLINE_MESSAGES = {
    "insufficient_funds": "Your card has insufficient funds. Try another card.",
    "expired_card": "Your card has expired. Check its expiry date or try another card.",
    "incorrect_cvc": "Your card's security code is incorrect. Check it and try again.",
    "processing_error": "Your card could not be processed. Try again in a moment.",
}
GENERIC_DECLINE = "Your card was declined. Try another card."
UNKNOWN_METHOD = "This payment method does not exist. Check the card details or try another card."
REFUSED_METHOD = "This payment method cannot pay this order. Try another card."
NOT_COMPLETED = "This card needs a verification this shop cannot offer. Try another card."


class ChargeDeclined(PaymentFailed):
    """402: the card was declined (or needs an authentication we cannot offer); nothing charged."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "token")


class ChargeInvalid(BadRequest):
    """400: Stripe refused the request itself, e.g. an unknown payment method; nothing charged."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "token")


class ChargeOutcomeUnknown(AppError):
    """503: Stripe could not be reached or failed; the charge may have happened."""

    status_code = 503

    def __init__(self) -> None:
        super().__init__("The payment could not be confirmed; please try again")


NOT_CHARGED = (ChargeDeclined, ChargeInvalid)


class StripeGateway:
    """Charges and refunds on one Stripe account (or a localstripe), never blocking the loop."""

    def __init__(self, *, api_key: str, api_base: str | None = None) -> None:
        """Configure the client; nothing connects until the first call.

        `api_base` points at a Stripe emulator (localstripe); unset means Stripe itself.
        """
        self._http = stripe.AIOHTTPClient(timeout=TIMEOUT_SECONDS)
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=NETWORK_RETRIES,
            http_client=self._http,
        )
        self._emulated = api_base is not None

    async def charge(
        self, *, amount_cents: int, token: str, idempotency_key: str, metadata: dict[str, str]
    ) -> str:
        """Charge `amount_cents` US cents to PaymentMethod `token`; returns the PaymentIntent id.

        Raises:
            ChargeDeclined: declined, or not completed (e.g. it needs 3-D Secure).
            ChargeInvalid: Stripe refused the request (unknown payment method, bad amount).
            ChargeOutcomeUnknown: anything else; the same request may be replayed.
        """
        try:
            intent = await self._client.v1.payment_intents.create_async(
                params=self._intent_params(amount_cents, token, metadata),
                options={"idempotency_key": idempotency_key},
            )
        except stripe.CardError as exc:
            raise ChargeDeclined(_decline_message(exc)) from exc
        except stripe.InvalidRequestError as exc:
            log.info("charge refused by Stripe: %s", exc)
            unknown = exc.http_status == 404 or exc.code == "resource_missing"
            raise ChargeInvalid(UNKNOWN_METHOD if unknown else REFUSED_METHOD) from exc
        except stripe.StripeError as exc:
            log.warning(
                "charge outcome unknown (%s: %s); the claim is kept", type(exc).__name__, exc
            )
            raise ChargeOutcomeUnknown() from exc
        if intent.status != "succeeded":
            log.info("PaymentIntent %s ended %s, not succeeded", intent.id, intent.status)
            raise ChargeDeclined(NOT_COMPLETED)
        return intent.id

    def _intent_params(
        self, amount_cents: int, token: str, metadata: dict[str, str]
    ) -> PaymentIntentCreateParams:
        params: PaymentIntentCreateParams = {
            "amount": amount_cents,
            "currency": CURRENCY,
            "payment_method": token,
            "confirm": True,
            "metadata": metadata,
        }
        if not self._emulated:
            # Stripe needs this to confirm on the server without a return URL; localstripe
            # refuses the parameter (and never redirects).
            params["automatic_payment_methods"] = {"enabled": True, "allow_redirects": "never"}
        return params

    async def refund(self, payment_intent_id: str, *, idempotency_key: str) -> str:
        """Refund a PaymentIntent in full, once; returns the refund id.

        An existing refund is reused, so a refund made just before a crash is not made
        again even where the server ignores idempotency keys (localstripe does).
        """
        existing = await self._client.v1.refunds.list_async(
            params={"payment_intent": payment_intent_id, "limit": 100}
        )
        for refund in existing.data:
            if refund.status in _LIVE_REFUND_STATES:
                return refund.id
        created = await self._client.v1.refunds.create_async(
            params={"payment_intent": payment_intent_id},
            options={"idempotency_key": idempotency_key},
        )
        return created.id

    async def close(self) -> None:
        await cast("Any", self._http).close_async()  # untyped in the SDK


def _decline_message(exc: stripe.CardError) -> str:
    reasons = (exc.error.decline_code if exc.error else None, exc.code)
    return next((DECLINE_MESSAGES[r] for r in reasons if r in DECLINE_MESSAGES), GENERIC_DECLINE)
