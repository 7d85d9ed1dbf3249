"""The tickets service's settings: the shared ones plus its database, bus and redelivery."""

from __future__ import annotations

from pydantic import Field

from ticketing_common.config import EventServiceSettings


class Settings(EventServiceSettings):
    """Settings of the tickets service, read from the environment at startup."""

    service_name: str = Field(default="tickets", description="SERVICE_NAME: name used in logs.")
    event_max_deliveries: int = Field(
        default=10,
        ge=1,
        description="EVENT_MAX_DELIVERIES: deliveries of an order event that cannot apply "
        "(e.g. its ticket is missing) before it is dead-lettered.",
    )
    event_retry_delay_seconds: float = Field(
        default=1.0,
        gt=0,
        description="EVENT_RETRY_DELAY_SECONDS: delay before the first redelivery; "
        "it doubles on each one, up to eight times this.",
    )
