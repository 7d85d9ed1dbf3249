"""The web client's settings, read from environment variables when the app is built."""

from __future__ import annotations

import secrets
from typing import Self

from pydantic import Field, SecretStr, model_validator

from ticketing_common.config import MIN_PRODUCTION_KEY_LENGTH, ProcessSettings

_PROCESS_KEY = secrets.token_urlsafe(32)


class ClientSettings(ProcessSettings):
    """Where the client listens and where it reaches the APIs (the gateway)."""

    service_name: str = "client"
    port: int = Field(default=3000, ge=0, le=65535, description="PORT: port uvicorn binds.")
    api_base_url: str = Field(description="API_BASE_URL: the gateway, for server-side calls.")
    api_timeout_seconds: float = Field(
        default=10.0, gt=0, description="API_TIMEOUT_SECONDS: limit of one API call."
    )
    csrf_key: SecretStr | None = Field(
        default=None,
        description="CSRF_KEY: signs the forms' CSRF tokens; 32+ characters, required in "
        "production; unset, each process makes its own, so open forms fail after a restart.",
    )

    @model_validator(mode="after")
    def _strong_key_in_production(self) -> Self:
        key = self.csrf_key.get_secret_value() if self.csrf_key else ""
        if self.environment == "production" and len(key) < MIN_PRODUCTION_KEY_LENGTH:
            raise ValueError(
                f"CSRF_KEY must be set, with at least {MIN_PRODUCTION_KEY_LENGTH} characters, "
                "when ENVIRONMENT is production"
            )
        return self

    @property
    def csrf_signing_key(self) -> str:
        """CSRF_KEY, or a key of this process's own."""
        return self.csrf_key.get_secret_value() if self.csrf_key else _PROCESS_KEY

    @property
    def test_payment_token(self) -> str:
        """The Stripe test card preset in the pay form outside production."""
        return "" if self.environment == "production" else "pm_card_visa"
