"""The expiration ASGI app: health routes only; its lifespan runs what `bootstrap` starts."""

from __future__ import annotations

from fastapi import FastAPI

from expiration.bootstrap import bootstrap
from expiration.config import Settings
from ticketing_common.http import create_app as create_service_app


def create_app(settings: Settings) -> FastAPI:
    """The expiration service, connecting to Redis and the bus when it starts."""
    return create_service_app(
        title="expiration", settings=settings, bootstrap=lambda: bootstrap(settings)
    )
