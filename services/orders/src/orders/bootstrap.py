"""Wires the orders service: its database, the bus, the outbox relay and its consumers."""

from __future__ import annotations

from pathlib import Path

from orders.config import Settings
from orders.listeners import listeners
from ticketing_common.runtime import EventService, start_runtime

MIGRATIONS = Path(__file__).parent / "migrations"


class Orders(EventService[Settings]):
    """The running orders service."""


async def bootstrap(settings: Settings) -> Orders:
    """Connect, migrate and start consuming ticket, expiration and payment events."""
    runtime = await start_runtime(
        settings, service="orders", migrations=MIGRATIONS, listeners=listeners
    )
    return Orders(settings, runtime)
