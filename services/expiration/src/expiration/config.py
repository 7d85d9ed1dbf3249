"""The expiration service's settings, read from the environment at startup."""

from __future__ import annotations

from pydantic import Field

from ticketing_common.config import BusSettings


class Settings(BusSettings):
    """Settings of the expiration service."""

    service_name: str = Field(
        default="expiration", description="SERVICE_NAME: name used in logs and events."
    )
    redis_url: str = Field(description="REDIS_URL: the Redis server holding the scheduled jobs.")
