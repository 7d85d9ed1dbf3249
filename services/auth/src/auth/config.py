"""The auth service's settings: the shared ones, its database and bus, hashing and rationing."""

from __future__ import annotations

from typing import Annotated, Any, Self

import argon2
from pydantic import BeforeValidator, Field, model_validator
from pydantic_settings import NoDecode

from auth.throttle import Rate, ThrottleSettings
from ticketing_common.config import EventServiceSettings

# OWASP's smallest argon2id cost: 19 MiB of memory and two passes.
MIN_PRODUCTION_MEMORY_KIB = 19 * 1024
MIN_PRODUCTION_TIME_COST = 2


def _rate(value: Any) -> Rate:
    return value if isinstance(value, Rate) else Rate.parse(str(value))


RateSetting = Annotated[Rate, NoDecode, BeforeValidator(_rate)]


class Settings(EventServiceSettings):
    """Settings of the auth service, read from the environment at startup."""

    service_name: str = Field(default="auth", description="SERVICE_NAME: name used in logs.")
    password_hash_workers: int = Field(
        default=4,
        ge=1,
        le=64,
        description="PASSWORD_HASH_WORKERS: passwords hashed at once (each holds its memory).",
    )
    password_hash_memory_kib: int = Field(
        default=argon2.DEFAULT_MEMORY_COST,
        ge=1024,
        description="PASSWORD_HASH_MEMORY_KIB: argon2id memory cost; 19456 or more in production.",
    )
    password_hash_time_cost: int = Field(
        default=argon2.DEFAULT_TIME_COST,
        ge=1,
        description="PASSWORD_HASH_TIME_COST: argon2id passes; 2 or more in production.",
    )
    password_hash_queue: int = Field(
        default=64,
        ge=0,
        le=10000,
        description="PASSWORD_HASH_QUEUE: attempts that may wait for a hashing thread, in turns "
        "by address; a newcomer takes the place of the last of the longest line, else gets 503.",
    )
    signin_rate_per_address: RateSetting = Field(
        default=Rate(120, 60.0),
        description="SIGNIN_RATE_PER_ADDRESS: sign-in and sign-up attempts one client address "
        "may make, e.g. 120/minute; more get 429.",
    )
    signin_at_once_per_account: int = Field(
        default=1,
        ge=1,
        le=1000,
        description="SIGNIN_AT_ONCE_PER_ACCOUNT: attempts on one email that may be in progress.",
    )
    signin_rate_per_account: RateSetting = Field(
        default=Rate(10, 60.0),
        description="SIGNIN_RATE_PER_ACCOUNT: attempts on one email, e.g. 10/minute.",
    )

    @property
    def throttle(self) -> ThrottleSettings:
        return ThrottleSettings(
            per_address=self.signin_rate_per_address,
            per_account=self.signin_rate_per_account,
            at_once_per_account=self.signin_at_once_per_account,
            turns=self.password_hash_workers,
            room=self.password_hash_queue,
        )

    @model_validator(mode="after")
    def _refuse_weak_production_hashing(self) -> Self:
        weak = (
            self.password_hash_memory_kib < MIN_PRODUCTION_MEMORY_KIB
            or self.password_hash_time_cost < MIN_PRODUCTION_TIME_COST
        )
        if self.environment == "production" and weak:
            raise ValueError(
                f"PASSWORD_HASH_MEMORY_KIB must be at least {MIN_PRODUCTION_MEMORY_KIB} and "
                f"PASSWORD_HASH_TIME_COST at least {MIN_PRODUCTION_TIME_COST} in production"
            )
        return self
