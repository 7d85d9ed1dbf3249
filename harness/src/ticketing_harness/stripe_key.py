"""The Stripe key a run uses: a test key from the environment, or None for localstripe."""

from __future__ import annotations

import os

from ticketing_harness.errors import HarnessError


def stripe_key_from_environment() -> str | None:
    """STRIPE_SECRET_KEY when set; live keys are refused, so no real card is ever charged."""
    key = os.environ.get("STRIPE_SECRET_KEY") or None
    if key is not None and not key.startswith(("sk_test_", "rk_test_")):
        raise HarnessError("STRIPE_SECRET_KEY must be a test-mode key (sk_test_...)")
    return key
