"""What every event-driven service starts and stops: pool, migrations, bus, relay, consumers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, FastAPI, Request

from ticketing_common.bus import Bus
from ticketing_common.db import apply_migrations, create_pool
from ticketing_common.health import register_readiness_check
from ticketing_common.listeners import ConsumerGroup, Listener
from ticketing_common.outbox import OutboxRelay

log = logging.getLogger(__name__)

ListenerFactory = Callable[[asyncpg.Pool, Bus], Sequence[Listener[Any]]]


@dataclass
class Runtime:
    """The running connections of one service process."""

    pool: asyncpg.Pool
    bus: Bus
    relay: OutboxRelay
    consumers: ConsumerGroup

    async def database_ready(self) -> bool:
        return bool(await self.pool.fetchval("SELECT true"))

    async def bus_ready(self) -> bool:
        return self.bus.is_connected

    async def stop(self) -> None:
        await self.consumers.stop()
        await self.relay.stop()
        await self.bus.close()
        await self.pool.close()


async def start_runtime(
    *,
    service: str,
    database_url: str,
    nats_url: str,
    migrations: Path,
    listeners: ListenerFactory,
) -> Runtime:
    """Connect, migrate, then start the outbox relay and the service's consumers."""
    pool = await create_pool(database_url)
    try:
        await apply_migrations(pool, migrations)
        bus = await Bus.connect(nats_url, name=service)
    except BaseException:
        await pool.close()
        raise
    runtime = Runtime(pool, bus, OutboxRelay(pool, bus), ConsumerGroup(bus, listeners(pool, bus)))
    await runtime.relay.start()
    await runtime.consumers.start()
    log.info("%s runtime started", service)
    return runtime


def runtime_lifespan(
    *,
    service: str,
    database_url: str,
    nats_url: str,
    migrations: Path,
    listeners: ListenerFactory,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A FastAPI lifespan running the service's runtime, kept on `app.state.runtime`.

    /readyz then checks the database and the bus.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await start_runtime(
            service=service,
            database_url=database_url,
            nats_url=nats_url,
            migrations=migrations,
            listeners=listeners,
        )
        app.state.runtime = runtime
        register_readiness_check(app, "database", runtime.database_ready)
        register_readiness_check(app, "bus", runtime.bus_ready)
        try:
            yield
        finally:
            await runtime.stop()

    return lifespan


async def _runtime_pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.runtime.pool
    return pool


# The running service's database pool, for routes.
PoolDep = Annotated[asyncpg.Pool, Depends(_runtime_pool)]
