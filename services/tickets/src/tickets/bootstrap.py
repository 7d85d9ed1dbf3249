"""Wires the tickets service: its database, the bus, the outbox relay and its consumers."""

from __future__ import annotations

from pathlib import Path

from ticketing_common.runtime import EventService, start_runtime
from tickets.config import Settings
from tickets.listeners import listeners

MIGRATIONS = Path(__file__).parent / "migrations"


class Tickets(EventService[Settings]):
    """The running tickets service."""


async def bootstrap(settings: Settings) -> Tickets:
    """Connect, migrate and start consuming order events."""
    runtime = await start_runtime(
        settings,
        service="tickets",
        migrations=MIGRATIONS,
        listeners=lambda db: listeners(db, settings),
    )
    return Tickets(settings, runtime)
