"""Orders settings from the environment, and the JSON shape of an order."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from orders.config import Settings
from orders.domain import Order, Ticket
from orders.schemas import OrderOut
from ticketing_common.config import SettingsError, load_settings

REQUIRED = {"JWT_KEY": "key", "DATABASE_URL": "postgresql://db/orders", "NATS_URL": "nats://n"}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("EXPIRATION_WINDOW_SECONDS", raising=False)
    for name, value in REQUIRED.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_expiration_window_defaults_to_fifteen_minutes(environment: pytest.MonkeyPatch) -> None:
    assert load_settings(Settings).expiration_window == timedelta(minutes=15)


def test_expiration_window_is_configurable_down_to_seconds(
    environment: pytest.MonkeyPatch,
) -> None:
    environment.setenv("EXPIRATION_WINDOW_SECONDS", "2")
    assert load_settings(Settings).expiration_window == timedelta(seconds=2)


def test_a_non_positive_window_is_refused(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("EXPIRATION_WINDOW_SECONDS", "0")
    with pytest.raises(SettingsError, match="EXPIRATION_WINDOW_SECONDS"):
        load_settings(Settings)


@pytest.mark.parametrize(
    ("price", "number"),
    [("20.00", 20), ("19.99", 19.99), ("0.10", 0.1), ("1000000.05", 1000000.05)],
)
def test_an_orders_json_has_camel_case_names_and_the_price_as_a_number(
    price: str, number: float
) -> None:
    ticket = Ticket(id=uuid.uuid4(), title="Concert", price=Decimal(price), version=3)
    now = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
    order = Order.place(user_id=uuid.uuid4(), ticket=ticket, now=now, window=timedelta(minutes=15))
    assert OrderOut.of(order).model_dump(mode="json", by_alias=True) == {
        "id": str(order.id),
        "userId": str(order.user_id),
        "status": "created",
        "expiresAt": "2026-03-01T18:15:00Z",
        "ticket": {"id": str(ticket.id), "title": "Concert", "price": number, "version": 3},
        "version": 0,
        "refunded": False,
    }
