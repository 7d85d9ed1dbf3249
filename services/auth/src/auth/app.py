"""The auth service's ASGI app: its lifespan opens the database and the password hasher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from auth.config import Settings
from auth.passwords import Passwords
from auth.routes import router
from ticketing_common.db import apply_migrations, create_pool
from ticketing_common.http import create_app as create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings) -> FastAPI:
    """The auth app; it connects when its lifespan starts, not before."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await create_pool(settings.database_url)
        try:
            await apply_migrations(pool, MIGRATIONS)
            passwords = Passwords(
                workers=settings.password_hash_workers,
                memory_kib=settings.password_hash_memory_kib,
                time_cost=settings.password_hash_time_cost,
            )
            try:
                app.state.pool, app.state.passwords = pool, passwords
                yield
            finally:
                passwords.close()
        finally:
            await pool.close()

    async def database_ready() -> bool:
        return bool(await app.state.pool.fetchval("SELECT true"))

    app = create_service_app(
        title="auth",
        settings=settings,
        lifespan=lifespan,
        routers=[router],
        readiness_checks={"database": database_ready},
    )
    return app
