"""The tickets service's ASGI app: its lifespan starts the database, bus, outbox and listeners."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from ticketing_common.http import create_app as create_service_app
from ticketing_common.runtime import Runtime, start_runtime
from tickets.config import Settings
from tickets.listeners import listeners
from tickets.routes import router

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings) -> FastAPI:
    """The tickets app; it connects when its lifespan starts, not before."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await start_runtime(
            service=settings.service_name,
            database_url=settings.database_url,
            nats_url=settings.nats_url,
            migrations=MIGRATIONS,
            listeners=lambda pool, bus: listeners(pool, settings),
        )
        app.state.runtime = runtime
        try:
            yield
        finally:
            await runtime.stop()

    def runtime() -> Runtime:
        started: Runtime = app.state.runtime
        return started

    async def database_ready() -> bool:
        return await runtime().database_ready()

    async def bus_ready() -> bool:
        return await runtime().bus_ready()

    app = create_service_app(
        title="tickets",
        settings=settings,
        lifespan=lifespan,
        routers=[router],
        readiness_checks={"database": database_ready, "bus": bus_ready},
    )
    return app
