"""The orders ASGI app: its lifespan starts the pool, migrations, bus, relay and consumers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from orders.config import Settings
from orders.listeners import listeners
from orders.routes import router
from ticketing_common.health import register_readiness_check
from ticketing_common.http import create_app as create_service_app
from ticketing_common.runtime import Runtime, start_runtime

MIGRATIONS = Path(__file__).parent / "migrations"


async def stop_runtime(runtime: Runtime) -> None:
    """`Runtime.stop`, hardened against two ways it can hang.

    On Python 3.11 `asyncio.wait_for` (in the outbox relay, and inside nats-py's fetch)
    swallows a cancellation that arrives as its inner wait completes, so the relay and
    the consumers are cancelled until they have ended. Draining the connection would wait
    up to 30 s for messages left in the stopped consumers' pull subscriptions, so it is
    closed instead: unacknowledged messages are redelivered anyway.
    """
    tasks = [*runtime.consumers.tasks, *([runtime.relay._task] if runtime.relay._task else [])]
    while pending := [task for task in tasks if not task.done()]:
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=0.5)
    await runtime.consumers.stop()
    await runtime.relay.stop()
    await runtime.bus.nc.close()
    await runtime.pool.close()


def create_app(settings: Settings) -> FastAPI:
    """The orders service, connecting to its servers when it starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await start_runtime(
            service=settings.service_name,
            database_url=settings.database_url,
            nats_url=settings.nats_url,
            migrations=MIGRATIONS,
            listeners=listeners,
        )
        app.state.runtime = runtime
        register_readiness_check(app, "database", runtime.database_ready)
        register_readiness_check(app, "bus", runtime.bus_ready)
        try:
            yield
        finally:
            await stop_runtime(runtime)

    return create_service_app(
        title="orders", settings=settings, lifespan=lifespan, routers=[router]
    )
