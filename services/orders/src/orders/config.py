"""The orders service's settings, read from the environment at startup."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from ticketing_common.config import EventServiceSettings


class Settings(EventServiceSettings):
    """Settings of the orders service."""

    service_name: str = Field(default="orders", description="SERVICE_NAME: name used in logs.")
    expiration_window_seconds: int = Field(
        default=900,
        gt=0,
        description="EXPIRATION_WINDOW_SECONDS: how long an unpaid order holds its ticket.",
    )

    @property
    def expiration_window(self) -> timedelta:
        return timedelta(seconds=self.expiration_window_seconds)
