"""The web client's settings, read from environment variables when the app is built."""

from __future__ import annotations

from pydantic import Field

from ticketing_common.config import ProcessSettings


class ClientSettings(ProcessSettings):
    """Where the client listens and where it reaches the APIs (the gateway)."""

    service_name: str = "client"
    port: int = Field(default=3000, ge=0, le=65535, description="PORT: port uvicorn binds.")
    api_base_url: str = Field(description="API_BASE_URL: the gateway, for server-side calls.")
    api_timeout_seconds: float = Field(
        default=10.0, gt=0, description="API_TIMEOUT_SECONDS: limit of one API call."
    )

    @property
    def test_payment_token(self) -> str:
        """The Stripe test card preset in the pay form outside production."""
        return "" if self.environment == "production" else "pm_card_visa"
