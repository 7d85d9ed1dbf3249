"""What a service with its own database on the bus runs: pool, migrations, bus, relay, consumers,
and the list of signed-out sessions its routes check.

Each such service's `bootstrap` calls `start_runtime` and keeps the result in its typed
service object, an `EventService` (plus the service's own extras):

    async def bootstrap(settings: Settings) -> Tickets:
        runtime = await start_runtime(
            settings, service="tickets", migrations=MIGRATIONS, listeners=listeners
        )
        return Tickets(settings, runtime)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from ticketing_common.bus import Bus
from ticketing_common.config import BusSettings, EventServiceSettings
from ticketing_common.db import open_migrated_pool
from ticketing_common.health import ReadinessCheck
from ticketing_common.listeners import ConsumerGroup, Listener
from ticketing_common.outbox import OutboxRelay
from ticketing_common.revocations import RevokedSessions
from ticketing_common.unit_of_work import Database

log = logging.getLogger(__name__)

ListenerFactory = Callable[[Database], Sequence[Listener[Any]]]
SettingsT = TypeVar("SettingsT", bound=EventServiceSettings)


@dataclass
class Runtime:
    """The running connections of one service process: database, bus, outbox relay, consumers."""

    db: Database
    bus: Bus
    relay: OutboxRelay
    consumers: ConsumerGroup
    revoked_sessions: RevokedSessions

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        return {
            "database": self.db.ready,
            "bus": self.bus.ready,
            "sessions": self.revoked_sessions.ready,
        }

    async def stop(self) -> None:
        await self.consumers.stop()
        await self.relay.stop()
        await self.revoked_sessions.stop()
        await self.bus.close()
        await self.db.pool.close()


async def start_runtime(
    settings: EventServiceSettings,
    *,
    service: str,
    migrations: Path,
    listeners: ListenerFactory,
) -> Runtime:
    """Connect, migrate, then start the outbox relay and the service's consumers.

    Args:
        settings: where the database and the bus are.
        service: the catalog's name of the service: it may publish only the events the
            catalog declares it the publisher of.
        migrations: the service's numbered .sql files.
        listeners: the service's consumers, given its database.
    """
    pool = await open_migrated_pool(settings.database_url, migrations)
    try:
        bus, revoked = await connect_bus(settings, service)
    except BaseException:
        await pool.close()
        raise
    db = Database(pool, service)
    consumers = ConsumerGroup(bus, listeners(db))
    runtime = Runtime(db, bus, OutboxRelay(pool, bus), consumers, revoked)
    await runtime.relay.start()
    await runtime.consumers.start()
    log.info("%s runtime started", service)
    return runtime


async def connect_bus(settings: BusSettings, service: str) -> tuple[Bus, RevokedSessions]:
    """Connect as `service` and load the signed-out sessions, which the bus keeps current."""
    bus = await Bus.for_service(settings, service)
    try:
        revoked = await RevokedSessions.start(bus, ttl_seconds=settings.session_ttl_seconds)
    except BaseException:
        await bus.close()
        raise
    return bus, revoked


@dataclass
class EventService(Generic[SettingsT]):
    """A running service with its own database on the bus; subclassed with a service's extras."""

    settings: SettingsT
    runtime: Runtime

    @property
    def db(self) -> Database:
        return self.runtime.db

    @property
    def revoked_sessions(self) -> RevokedSessions:
        return self.runtime.revoked_sessions

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        return self.runtime.readiness_checks()

    async def stop(self) -> None:
        await self.runtime.stop()
