"""The payments service's ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from payments.bootstrap import bootstrap
from payments.config import Settings
from payments.routes import router
from ticketing_common import http
from ticketing_common.health import register_readiness_check


def create_app(settings: Settings) -> FastAPI:
    """The app; its lifespan starts the service and stops it on shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = await bootstrap(settings)
        app.state.deps = service.deps
        register_readiness_check(app, "database", service.runtime.database_ready)
        register_readiness_check(app, "bus", service.runtime.bus_ready)
        try:
            yield
        finally:
            await service.stop()

    return http.create_app(title="payments", settings=settings, lifespan=lifespan, routers=[router])
