"""Auth settings: strong hashing by default (weak refused in production), rationing as rates."""

from __future__ import annotations

import pytest

from auth.config import Settings
from auth.throttle import Rate
from ticketing_common.config import SettingsError, load_settings

KEY = "a-production-signing-key-of-at-least-32-chars"
PLACES = {"database_url": "postgresql:///auth", "nats_url": "nats://127.0.0.1:4222"}


def test_defaults_are_rfc_9106_low_memory_argon2id() -> None:
    settings = load_settings(Settings, jwt_key=KEY, **PLACES)
    assert (settings.password_hash_memory_kib, settings.password_hash_time_cost) == (65536, 3)


@pytest.mark.parametrize(
    "weak", [{"password_hash_memory_kib": 8192}, {"password_hash_time_cost": 1}]
)
def test_weak_hashing_is_refused_in_production(weak: dict[str, int]) -> None:
    with pytest.raises(SettingsError, match="PASSWORD_HASH_MEMORY_KIB must be at least 19456"):
        load_settings(
            Settings,
            jwt_key=KEY,
            environment="production",
            **PLACES,
            **weak,
        )


def test_weak_hashing_is_allowed_outside_production() -> None:
    settings = load_settings(Settings, jwt_key=KEY, password_hash_time_cost=1, **PLACES)
    assert settings.password_hash_time_cost == 1


def test_missing_database_url_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings(Settings, jwt_key=KEY)


def test_sign_in_rationing_is_read_as_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNIN_RATE_PER_ADDRESS", "5/second")
    settings = load_settings(Settings, jwt_key=KEY, **PLACES)
    assert settings.throttle.per_address == Rate(5, 1.0)
    assert str(settings.throttle.per_account) == "10/minute"
    assert (settings.throttle.turns, settings.throttle.room) == (4, 64)
    assert settings.throttle.at_once_per_account == 1


def test_a_rate_that_is_not_one_says_what_it_should_look_like(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SIGNIN_RATE_PER_ACCOUNT", "lots")
    with pytest.raises(SettingsError, match="SIGNIN_RATE_PER_ACCOUNT: must be a rate such as"):
        load_settings(Settings, jwt_key=KEY, **PLACES)
