"""The payments service's ASGI app; its lifespan runs what `bootstrap` starts."""

from __future__ import annotations

from fastapi import FastAPI

from payments.bootstrap import bootstrap
from payments.config import Settings
from payments.routes import router
from ticketing_common.http import create_app as create_service_app


def create_app(settings: Settings) -> FastAPI:
    """The payments app; it connects when its lifespan starts, not before."""
    return create_service_app(
        title="payments", settings=settings, bootstrap=lambda: bootstrap(settings), routers=[router]
    )
