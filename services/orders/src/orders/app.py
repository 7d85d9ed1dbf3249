"""The orders service's ASGI app; its lifespan runs what `bootstrap` starts."""

from __future__ import annotations

from fastapi import FastAPI

from orders.bootstrap import bootstrap
from orders.config import Settings
from orders.routes import router
from ticketing_common.http import create_app as create_service_app


def create_app(settings: Settings) -> FastAPI:
    """The orders app; it connects when its lifespan starts, not before."""
    return create_service_app(
        title="orders", settings=settings, bootstrap=lambda: bootstrap(settings), routers=[router]
    )
