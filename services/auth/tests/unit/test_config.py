"""Auth settings: strong password hashing by default, weak hashing refused in production."""

from __future__ import annotations

import pytest

from auth.config import Settings
from ticketing_common.config import SettingsError, load_settings

KEY = "a-production-signing-key-of-at-least-32-chars"


def test_defaults_are_rfc_9106_low_memory_argon2id() -> None:
    settings = load_settings(Settings, database_url="postgresql:///auth", jwt_key=KEY)
    assert (settings.password_hash_memory_kib, settings.password_hash_time_cost) == (65536, 3)


@pytest.mark.parametrize(
    "weak", [{"password_hash_memory_kib": 8192}, {"password_hash_time_cost": 1}]
)
def test_weak_hashing_is_refused_in_production(weak: dict[str, int]) -> None:
    with pytest.raises(SettingsError, match="PASSWORD_HASH_MEMORY_KIB must be at least 19456"):
        load_settings(
            Settings,
            database_url="postgresql:///auth",
            jwt_key=KEY,
            environment="production",
            **weak,
        )


def test_weak_hashing_is_allowed_outside_production() -> None:
    settings = load_settings(
        Settings, database_url="postgresql:///auth", jwt_key=KEY, password_hash_time_cost=1
    )
    assert settings.password_hash_time_cost == 1


def test_missing_database_url_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings(Settings, jwt_key=KEY)
