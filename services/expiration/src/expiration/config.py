"""The expiration service's settings, read from the environment at startup."""

from __future__ import annotations

from pydantic import Field

from ticketing_common.config import ServiceSettings


class Settings(ServiceSettings):
    """Settings of the expiration service."""

    service_name: str = Field(
        default="expiration", description="SERVICE_NAME: name used in logs and events."
    )
    nats_url: str = Field(description="NATS_URL: the NATS JetStream server.")
    redis_url: str = Field(description="REDIS_URL: the Redis server holding the scheduled jobs.")
