"""localstripe server: a Stripe API with per-instance state that survives a restart."""

from __future__ import annotations

import httpx
import pytest

from ticketing_harness.servers import StripeServer

AUTH = (StripeServer.api_key, "")


def _create_payment_intent(api_base: str) -> str:
    response = httpx.post(
        f"{api_base}/v1/payment_intents", data={"amount": 2000, "currency": "usd"}, auth=AUTH
    )
    response.raise_for_status()
    return str(response.json()["id"])


def _status(api_base: str, intent_id: str) -> int:
    return httpx.get(f"{api_base}/v1/payment_intents/{intent_id}", auth=AUTH).status_code


def test_created_payment_intent_can_be_read_back(stripe_api_base: str) -> None:
    intent_id = _create_payment_intent(stripe_api_base)

    assert _status(stripe_api_base, intent_id) == 200


def test_flush_forgets_every_object(stripe_server: StripeServer, stripe_api_base: str) -> None:
    intent_id = _create_payment_intent(stripe_api_base)

    stripe_server.flush()

    assert _status(stripe_api_base, intent_id) == 404


def test_restart_keeps_objects_on_the_same_port(private_stripe_server: StripeServer) -> None:
    api_base = private_stripe_server.api_base
    intent_id = _create_payment_intent(api_base)

    private_stripe_server.restart()

    assert private_stripe_server.api_base == api_base
    assert _status(api_base, intent_id) == 200


def test_instances_do_not_share_objects(
    stripe_api_base: str, private_stripe_server: StripeServer
) -> None:
    intent_id = _create_payment_intent(private_stripe_server.api_base)

    assert _status(stripe_api_base, intent_id) == 404


@pytest.mark.parametrize(
    ("payment_method", "code", "decline_code"),
    [
        ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
        ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc"),
    ],
)
def test_stripes_declining_test_cards_decline_as_stripe_does(
    stripe_api_base: str, payment_method: str, code: str, decline_code: str
) -> None:
    data = {"amount": 2000, "currency": "usd", "payment_method": payment_method, "confirm": "true"}
    response = httpx.post(f"{stripe_api_base}/v1/payment_intents", data=data, auth=AUTH)
    assert response.status_code == 402
    error = response.json()["error"]
    assert (error["type"], error["code"], error["decline_code"]) == (
        "card_error",
        code,
        decline_code,
    )


def test_the_usual_test_cards_still_pay(stripe_api_base: str) -> None:
    for payment_method in ("pm_card_visa", "pm_card_mastercard"):
        data = {
            "amount": 2000,
            "currency": "usd",
            "payment_method": payment_method,
            "confirm": "true",
        }
        response = httpx.post(f"{stripe_api_base}/v1/payment_intents", data=data, auth=AUTH)
        assert response.json()["status"] == "succeeded"
