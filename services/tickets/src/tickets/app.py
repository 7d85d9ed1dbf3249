"""The tickets service's ASGI app: its lifespan starts the database, bus, outbox and listeners."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from ticketing_common.http import create_app as create_service_app
from ticketing_common.runtime import runtime_lifespan
from tickets.config import Settings
from tickets.listeners import listeners
from tickets.routes import router

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings) -> FastAPI:
    """The tickets app; it connects when its lifespan starts, not before."""
    lifespan = runtime_lifespan(
        service=settings.service_name,
        database_url=settings.database_url,
        nats_url=settings.nats_url,
        migrations=MIGRATIONS,
        listeners=lambda pool, bus: listeners(pool, settings),
    )
    return create_service_app(
        title="tickets", settings=settings, lifespan=lifespan, routers=[router]
    )
