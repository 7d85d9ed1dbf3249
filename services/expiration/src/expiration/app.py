"""The expiration ASGI app: health endpoints only; its lifespan runs the worker and consumer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from expiration.bootstrap import bootstrap
from expiration.config import Settings
from ticketing_common.health import register_readiness_check
from ticketing_common.http import create_app as create_service_app


def create_app(settings: Settings) -> FastAPI:
    """The expiration service, connecting to Redis and the bus when it starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = await bootstrap(settings)
        app.state.expiration = service
        register_readiness_check(app, "redis", service.redis_ready)
        register_readiness_check(app, "bus", service.bus_ready)
        try:
            yield
        finally:
            await service.stop()

    return create_service_app(title="expiration", settings=settings, lifespan=lifespan)
