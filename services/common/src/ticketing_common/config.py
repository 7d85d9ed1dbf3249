"""Typed service settings read from environment variables, built at startup, never at import.

Each setting is read from the environment variable named like the field in upper case
(`jwt_key` -> `JWT_KEY`); a service subclasses `ServiceSettings` (the web client,
`ProcessSettings`) and adds its own fields the same way. `load_settings` turns every
problem into one line naming the variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Self, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ticketing_common.validation import readable_message

MIN_PRODUCTION_KEY_LENGTH = 32


class SettingsError(Exception):
    """The environment does not describe a valid configuration; the message is one line."""


class ProcessSettings(BaseSettings):
    """Settings every process serving HTTP has; subclass it and set a default `service_name`."""

    model_config = SettingsConfigDict(
        case_sensitive=False, extra="forbid", frozen=True, hide_input_in_errors=True
    )

    service_name: str = Field(description="SERVICE_NAME: name used in logs and events.")
    environment: Literal["dev", "test", "production"] = Field(
        default="dev", description="ENVIRONMENT: dev, test or production (strict checks)."
    )
    host: str = Field(default="127.0.0.1", description="HOST: interface uvicorn binds.")
    port: int = Field(default=8000, ge=0, le=65535, description="PORT: port uvicorn binds.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="LOG_LEVEL: DEBUG, INFO, WARNING or ERROR."
    )


class ServiceSettings(ProcessSettings):
    """Settings of a backend service, which reads (and, for auth, issues) session tokens."""

    jwt_key: SecretStr = Field(
        description="JWT_KEY: HMAC key signing session tokens; 32+ characters in production."
    )
    session_ttl_seconds: int = Field(
        default=7 * 24 * 3600, gt=0, description="SESSION_TTL_SECONDS: session lifetime."
    )
    plain_http: bool = Field(
        default=False,
        description="PLAIN_HTTP: served over plain HTTP, so the session cookie is not Secure; "
        "refused in production.",
    )

    @field_validator("jwt_key")
    @classmethod
    def _key_not_empty(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value():
            raise ValueError("must not be empty")
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Self:
        if self.environment != "production":
            return self
        problems = []
        if len(self.jwt_key.get_secret_value()) < MIN_PRODUCTION_KEY_LENGTH:
            problems.append(
                f"JWT_KEY must be at least {MIN_PRODUCTION_KEY_LENGTH} characters "
                "when ENVIRONMENT is production"
            )
        if self.plain_http:
            problems.append("PLAIN_HTTP is not allowed when ENVIRONMENT is production")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class DatabaseSettings(ServiceSettings):
    """Settings of a service with its own PostgreSQL database."""

    database_url: str = Field(description="DATABASE_URL: the service's PostgreSQL database (DSN).")


class BusSettings(ServiceSettings):
    """Settings of a service on the event bus."""

    nats_url: str = Field(description="NATS_URL: the NATS JetStream server.")
    record_events_dir: Path | None = Field(
        default=None,
        description="RECORD_EVENTS_DIR: if set, every message published or consumed is "
        "recorded there as JSON lines, for contract checks of a whole run.",
    )


class EventServiceSettings(DatabaseSettings, BusSettings):
    """Settings of a service with its own database on the event bus."""


SettingsT = TypeVar("SettingsT", bound=ProcessSettings)


def load_settings(cls: type[SettingsT], **overrides: Any) -> SettingsT:
    """Build `cls` from the environment; `overrides` (by field name) win over the environment.

    Raises:
        SettingsError: one line naming each missing or invalid environment variable.
    """
    try:
        return cls(**overrides)
    except ValidationError as exc:
        raise SettingsError(_one_line(cls, exc)) from None


def env_var_name(cls: type[ProcessSettings], field_name: str) -> str:
    """The environment variable a settings field is read from."""
    alias = cls.model_fields[field_name].validation_alias
    if isinstance(alias, str):
        return alias.upper()
    return f"{cls.model_config.get('env_prefix', '')}{field_name}".upper()


def _one_line(cls: type[ProcessSettings], exc: ValidationError) -> str:
    names = {name: env_var_name(cls, name) for name in cls.model_fields}
    missing: list[str] = []
    problems: list[str] = []
    for error in exc.errors(include_input=False, include_url=False):
        message = readable_message(error)
        if not error["loc"]:
            problems.append(message)
            continue
        name = str(error["loc"][0])
        variable = names.get(name, name.upper())
        if error["type"] == "missing":
            missing.append(variable)
        else:
            problems.append(f"Invalid value for {variable}: {message}")
    if missing:
        plural = "s" if len(missing) > 1 else ""
        problems.insert(0, f"Missing required environment variable{plural} {', '.join(missing)}")
    return "; ".join(problems).replace("\n", " ")
