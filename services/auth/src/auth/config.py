"""The auth service's settings: the shared ones plus its database and password hashing."""

from __future__ import annotations

from typing import Self

import argon2
from pydantic import Field, model_validator

from ticketing_common.config import DatabaseSettings

# OWASP's smallest argon2id cost: 19 MiB of memory and two passes.
MIN_PRODUCTION_MEMORY_KIB = 19 * 1024
MIN_PRODUCTION_TIME_COST = 2


class Settings(DatabaseSettings):
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
