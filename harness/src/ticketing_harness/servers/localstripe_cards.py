"""Stripe's test cards that decline, taught to localstripe, which only knows a generic decline.

Stripe documents test PaymentMethods and card numbers whose charges fail with a given
error (https://docs.stripe.com/testing#declined-payments). localstripe knows three test
PaymentMethods and answers every decline with `card_declined`; `teach_declines` adds the
usual ones, each declining as Stripe does: the same `code`, `decline_code` and message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localstripe.errors import UserError
from localstripe.resources import Charge, PaymentMethod


@dataclass(frozen=True)
class Decline:
    """How Stripe refuses a charge to a test card."""

    code: str
    decline_code: str
    message: str


GENERIC = Decline("card_declined", "generic_decline", "Your card was declined.")
DECLINES = {
    "4000000000000002": GENERIC,
    "4000000000009995": Decline(
        "card_declined", "insufficient_funds", "Your card has insufficient funds."
    ),
    "4000000000009987": Decline("card_declined", "lost_card", "Your card was declined."),
    "4000000000009979": Decline("card_declined", "stolen_card", "Your card was declined."),
    "4000000000000069": Decline("expired_card", "expired_card", "Your card has expired."),
    "4000000000000127": Decline(
        "incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."
    ),
    "4000000000000119": Decline(
        "processing_error",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}
TEST_PAYMENT_METHODS = {
    "pm_card_mastercard": "5555555555554444",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_visa_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_visa_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedLostCard": "4000000000009987",
    "pm_card_visa_chargeDeclinedLostCard": "4000000000009987",
    "pm_card_chargeDeclinedStolenCard": "4000000000009979",
    "pm_card_visa_chargeDeclinedStolenCard": "4000000000009979",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_chargeDeclinedIncorrectCvc": "4000000000000127",
    "pm_card_chargeDeclinedProcessingError": "4000000000000119",
}


def teach_declines() -> None:
    """Make localstripe know the test PaymentMethods above and decline their charges as Stripe."""
    known = PaymentMethod._try_get_canonical_test_article
    charging_is_declined = PaymentMethod._charging_is_declined

    def canonical(cls: type[PaymentMethod], id: str) -> PaymentMethod | None:
        number = TEST_PAYMENT_METHODS.get(id)
        if number is None:
            return known(id)
        card = {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"}
        return PaymentMethod(type="card", card=card)

    def declines(self: PaymentMethod) -> bool:
        return _decline_of(self) is not None or bool(charging_is_declined(self))

    def set_auth_failure(self: Charge) -> None:
        decline = _decline_of(PaymentMethod._api_retrieve(self.payment_method)) or GENERIC
        self.status = "failed"
        self.failure_code = decline.code
        self.failure_message = decline.message
        self._decline_code = decline.decline_code

    def raise_failure(self: Charge) -> None:
        details: dict[str, Any] = {
            "code": self.failure_code,
            "decline_code": getattr(self, "_decline_code", GENERIC.decline_code),
            "charge": self.id,
        }
        error = UserError(402, self.failure_message, details)
        error.body["error"]["type"] = "card_error"
        raise error

    PaymentMethod._try_get_canonical_test_article = classmethod(canonical)
    PaymentMethod._charging_is_declined = declines
    Charge._set_auth_failure = set_auth_failure
    Charge._raise_failure = raise_failure


def _decline_of(method: Any) -> Decline | None:
    return DECLINES.get(getattr(method, "_card_number", ""))
