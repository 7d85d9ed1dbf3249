"""Expiration settings from the environment, and the expiry event's deterministic id."""

from __future__ import annotations

import uuid

import pytest

from expiration.config import Settings
from expiration.jobs import expiry_event_id
from ticketing_common.config import SettingsError, load_settings


def test_an_orders_expiry_always_has_the_same_event_id() -> None:
    order_id = uuid.uuid4()
    assert expiry_event_id(order_id) == expiry_event_id(uuid.UUID(str(order_id)))
    assert expiry_event_id(order_id) != expiry_event_id(uuid.uuid4())


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_KEY", "key")
    monkeypatch.setenv("NATS_URL", "nats://127.0.0.1:4222")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379")
    settings = load_settings(Settings)
    assert (settings.service_name, settings.redis_url) == ("expiration", "redis://127.0.0.1:6379")


def test_missing_settings_are_named_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JWT_KEY", "NATS_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SettingsError) as raised:
        load_settings(Settings)
    assert str(raised.value) == (
        "Missing required environment variables JWT_KEY, NATS_URL, REDIS_URL"
    )
