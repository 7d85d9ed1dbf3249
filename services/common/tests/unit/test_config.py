"""Service settings: read from named environment variables, one-line errors, safe production."""

from __future__ import annotations

import pytest

from ticketing_common.config import ServiceSettings, SettingsError, env_var_name, load_settings

LONG_KEY = "k" * 32


class OrdersSettings(ServiceSettings):
    """A service's own settings, as a service would declare them."""

    service_name: str = "orders"
    database_url: str


@pytest.fixture(autouse=True)
def empty_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OrdersSettings.model_fields:
        monkeypatch.delenv(env_var_name(OrdersSettings, name), raising=False)


def settings_error(cls: type[ServiceSettings] = ServiceSettings, **overrides: object) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(cls, **overrides)
    return str(caught.value)


def test_settings_are_read_from_upper_case_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE_NAME", "tickets")
    monkeypatch.setenv("JWT_KEY", "dev-key")
    monkeypatch.setenv("SESSION_TTL_SECONDS", "60")
    monkeypatch.setenv("PLAIN_HTTP", "true")
    monkeypatch.setenv("PORT", "3000")

    settings = load_settings(ServiceSettings)

    assert settings.service_name == "tickets"
    assert settings.jwt_key.get_secret_value() == "dev-key"
    assert (settings.session_ttl_seconds, settings.plain_http, settings.port) == (60, True, 3000)
    assert (settings.environment, settings.host) == ("dev", "127.0.0.1")


def test_overrides_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "3000")
    settings = load_settings(OrdersSettings, jwt_key="k", database_url="postgresql:///x", port=0)
    assert settings.port == 0


def test_missing_jwt_key_is_named_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE_NAME", "auth")
    assert settings_error() == "Missing required environment variable JWT_KEY"


def test_every_missing_variable_is_named() -> None:
    assert settings_error(OrdersSettings) == (
        "Missing required environment variables JWT_KEY, DATABASE_URL"
    )


def test_invalid_value_names_the_variable_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORT", "eighty")
    message = settings_error(OrdersSettings, jwt_key="k", database_url="postgresql:///x")
    assert message == (
        "Invalid value for PORT: "
        "Input should be a valid integer, unable to parse string as an integer"
    )


def test_empty_jwt_key_is_refused() -> None:
    message = settings_error(service_name="auth", jwt_key="")
    assert message == "Invalid value for JWT_KEY: must not be empty"


def test_missing_and_invalid_are_reported_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "staging")
    assert settings_error(OrdersSettings, database_url="postgresql:///x") == (
        "Missing required environment variable JWT_KEY; "
        "Invalid value for ENVIRONMENT: Input should be 'dev', 'test' or 'production'"
    )


def test_production_refuses_a_short_jwt_key() -> None:
    message = settings_error(service_name="auth", environment="production", jwt_key="short")
    assert message == "JWT_KEY must be at least 32 characters when ENVIRONMENT is production"


def test_production_refuses_plain_http() -> None:
    message = settings_error(
        service_name="auth", environment="production", jwt_key=LONG_KEY, plain_http=True
    )
    assert message == "PLAIN_HTTP is not allowed when ENVIRONMENT is production"


def test_production_accepts_a_long_key_over_https() -> None:
    settings = load_settings(
        ServiceSettings, service_name="auth", environment="production", jwt_key=LONG_KEY
    )
    assert (settings.environment, settings.plain_http) == ("production", False)


@pytest.mark.parametrize("environment", ["dev", "test"])
def test_dev_and_test_accept_short_keys_and_plain_http(environment: str) -> None:
    settings = load_settings(
        ServiceSettings,
        service_name="auth",
        environment=environment,
        jwt_key="asdf",
        plain_http=True,
    )
    assert settings.plain_http is True


def test_a_service_field_reads_its_own_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_KEY", "k")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/orders")
    settings = load_settings(OrdersSettings)
    assert (settings.service_name, settings.database_url) == ("orders", "postgresql://db/orders")
