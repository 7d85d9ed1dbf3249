"""The auth service's settings: the shared ones plus its database and password hashing."""

from __future__ import annotations

from pydantic import Field

from ticketing_common.config import ServiceSettings


class Settings(ServiceSettings):
    """Settings of the auth service, read from the environment at startup."""

    service_name: str = Field(default="auth", description="SERVICE_NAME: name used in logs.")
    database_url: str = Field(description="DATABASE_URL: PostgreSQL DSN of the users database.")
    password_hash_workers: int = Field(
        default=4,
        ge=1,
        le=64,
        description="PASSWORD_HASH_WORKERS: passwords hashed at once (64 MiB of memory each).",
    )
