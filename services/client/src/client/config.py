"""The web client's settings, read from environment variables when the app is built."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ClientSettings(BaseSettings):
    """Where the client listens and where it reaches the APIs (the gateway)."""

    model_config = SettingsConfigDict(case_sensitive=False, frozen=True)

    api_base_url: str = Field(description="API_BASE_URL: the gateway, for server-side calls.")
    environment: Literal["dev", "test", "production"] = "dev"
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=0, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    api_timeout_seconds: float = Field(default=10.0, gt=0)

    @property
    def test_payment_token(self) -> str:
        """The Stripe test card preset in the pay form outside production."""
        return "" if self.environment == "production" else "pm_card_visa"
