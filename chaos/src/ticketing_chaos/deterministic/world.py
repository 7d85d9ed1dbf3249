"""The services of the deterministic mode: their databases on one real PostgreSQL, their real
handlers and listeners, a ledger for Stripe, and an event loop to run them on."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from orders import bootstrap as orders_service
from orders.listeners import listeners as orders_listeners
from payments import bootstrap as payments_service
from payments.listeners import listeners as payments_listeners
from ticketing_chaos.canaries import disable_in_orders_database
from ticketing_chaos.deterministic.stripe import LedgerGateway
from ticketing_common.config import load_settings
from ticketing_common.db import open_migrated_pool
from ticketing_common.faults.canaries import Canary
from ticketing_common.listeners import Listener
from ticketing_common.unit_of_work import Database
from ticketing_harness.servers import PostgresServer
from tickets import bootstrap as tickets_service
from tickets.config import Settings as TicketsSettings
from tickets.listeners import listeners as tickets_listeners

T = TypeVar("T")
SERVICES = ("tickets", "orders", "payments")
MIGRATIONS = {
    "tickets": tickets_service.MIGRATIONS,
    "orders": orders_service.MIGRATIONS,
    "payments": payments_service.MIGRATIONS,
}


@dataclass
class World:
    """Everything the state machine drives, built once and shared by its examples."""

    loop: asyncio.AbstractEventLoop
    databases: dict[str, Database]
    gateway: LedgerGateway

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)

    def listeners(self) -> list[Listener[Any]]:
        """The consumers of tickets, orders and payments, as each service declares them."""
        tickets_settings = load_settings(
            TicketsSettings,
            jwt_key="deterministic",
            database_url="postgresql://unused",
            nats_url="nats://unused",
            event_max_deliveries=1_000_000,  # the test decides how often a message comes back
        )
        return [
            *tickets_listeners(self.databases["tickets"], tickets_settings),
            *orders_listeners(self.databases["orders"]),
            *payments_listeners(self.databases["payments"], self.gateway),
        ]

    async def unsent(self, service: str) -> bool:
        """Whether the service's outbox holds events not relayed yet (one cheap query)."""
        return bool(
            await self.databases[service].pool.fetchval(
                "SELECT EXISTS (SELECT 1 FROM outbox WHERE sent_at IS NULL)"
            )
        )

    async def forget_unsent(self) -> None:
        """Mark what an earlier example left in the outboxes as sent: it is not this one's."""
        for database in self.databases.values():
            await database.pool.execute("UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL")

    async def close(self) -> None:
        for database in self.databases.values():
            await database.pool.close()


async def build_world(server: PostgresServer, canaries: tuple[Canary, ...]) -> World:
    """Fresh databases for the three services, migrated, with database canaries applied."""
    databases = {}
    for service in SERVICES:
        dsn = await server.create_database(f"{service}_{uuid.uuid4().hex[:8]}")
        pool = await open_migrated_pool(dsn, MIGRATIONS[service])
        databases[service] = Database(pool, service)
        if service == "orders":
            await disable_in_orders_database(dsn, canaries)
    return World(asyncio.get_running_loop(), databases, LedgerGateway())


def postgres_server(directory: Path) -> PostgresServer:
    """A private, fast (not durable) PostgreSQL for the deterministic mode."""
    return PostgresServer(directory, fast=True)


async def fetch(db: Database, query: str, *args: object) -> list[asyncpg.Record]:
    return list(await db.pool.fetch(query, *args))
