"""The services of the deterministic mode: their databases on one real PostgreSQL, their real
handlers and listeners, a ledger for Stripe, and an event loop to run them on."""

from __future__ import annotations

import asyncio
import graphlib
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
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
from ticketing_harness.evidence.snapshot import Snapshot
from ticketing_harness.evidence.tables import install_audit, read_service
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
    tables: dict[str, list[str]] = field(default_factory=dict)  # per database, what `reset` empties

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

    async def reset(self) -> None:
        """Empty every table (the migrations' record aside): each program starts from nothing."""
        for service, database in self.databases.items():
            await database.pool.execute("".join(f"DELETE FROM {t};" for t in self.tables[service]))

    async def records(self) -> Snapshot:
        """What the three databases hold now, with their outboxes and the audit of their writes."""
        records = {}
        for name, database in self.databases.items():
            async with database.pool.acquire() as conn:
                records[name] = await read_service(conn, name)
        return Snapshot(records)

    async def close(self) -> None:
        for database in self.databases.values():
            await database.pool.close()


async def build_world(server: PostgresServer, canaries: tuple[Canary, ...]) -> World:
    """Fresh databases for the three services, migrated and audited, with database canaries
    applied."""
    databases, tables = {}, {}
    for service in SERVICES:
        dsn = await server.create_database(f"{service}_{uuid.uuid4().hex[:8]}")
        pool = await open_migrated_pool(dsn, MIGRATIONS[service])
        await install_audit(pool, service)
        databases[service] = Database(pool, service)
        tables[service] = await _emptied_first(pool)
        if service == "orders":
            await disable_in_orders_database(dsn, canaries)
    return World(asyncio.get_running_loop(), databases, LedgerGateway(), tables)


async def _emptied_first(pool: asyncpg.Pool) -> list[str]:
    """The tables of a database (the migrations' record aside), each after those that refer
    to it: the order to delete their rows in."""
    tables = await pool.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        " AND tablename <> 'schema_migrations'"
    )
    references = await pool.fetch(
        "SELECT conrelid::regclass::text AS referring, confrelid::regclass::text AS referred"
        " FROM pg_constraint WHERE contype = 'f'"
    )
    referred_by: dict[str, set[str]] = {row["tablename"]: set() for row in tables}
    for row in references:
        referred_by[row["referred"]].add(row["referring"])
    return list(graphlib.TopologicalSorter(referred_by).static_order())
