"""Typed settings of the payments service, read from the environment at startup."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from ticketing_common.config import EventServiceSettings


class Settings(EventServiceSettings):
    """What the payments service needs: its database, the bus and a Stripe account."""

    service_name: str = "payments"
    stripe_secret_key: SecretStr = Field(
        description="STRIPE_SECRET_KEY: Stripe secret key (localstripe accepts any sk_test_ key)."
    )
    stripe_api_base: str | None = Field(
        default=None,
        description="STRIPE_API_BASE: Stripe API address, e.g. a localstripe; Stripe's if unset.",
    )

    @field_validator("stripe_secret_key")
    @classmethod
    def _secret_key_shape(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith(("sk_", "rk_")):
            raise ValueError("must be a Stripe secret key (sk_...) or restricted key (rk_...)")
        return value
