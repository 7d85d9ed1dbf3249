"""The tickets service's ASGI app; its lifespan runs what `bootstrap` starts."""

from __future__ import annotations

from fastapi import FastAPI

from ticketing_common.http import create_app as create_service_app
from tickets.bootstrap import bootstrap
from tickets.config import Settings
from tickets.routes import router


def create_app(settings: Settings) -> FastAPI:
    """The tickets app; it connects when its lifespan starts, not before."""
    return create_service_app(
        title="tickets", settings=settings, bootstrap=lambda: bootstrap(settings), routers=[router]
    )
