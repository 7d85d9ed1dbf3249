"""The auth service's ASGI app; its lifespan runs what `bootstrap` starts."""

from __future__ import annotations

from fastapi import FastAPI

from auth.bootstrap import bootstrap
from auth.config import Settings
from auth.routes import router
from ticketing_common.http import create_app as create_service_app


def create_app(settings: Settings) -> FastAPI:
    """The auth app; it connects when its lifespan starts, not before."""
    return create_service_app(
        title="auth", settings=settings, bootstrap=lambda: bootstrap(settings), routers=[router]
    )
