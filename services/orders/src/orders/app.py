"""The orders ASGI app: its lifespan starts the pool, migrations, bus, relay and consumers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from orders.config import Settings
from orders.listeners import listeners
from orders.routes import router
from ticketing_common.http import create_app as create_service_app
from ticketing_common.runtime import runtime_lifespan

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings) -> FastAPI:
    """The orders service, connecting to its servers when it starts."""
    lifespan = runtime_lifespan(
        service=settings.service_name,
        database_url=settings.database_url,
        nats_url=settings.nats_url,
        migrations=MIGRATIONS,
        listeners=listeners,
    )
    return create_service_app(
        title="orders", settings=settings, lifespan=lifespan, routers=[router]
    )
