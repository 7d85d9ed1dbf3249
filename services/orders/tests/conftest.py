"""The orders service running in process against the real servers of the test session."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from orders.app import create_app
from orders.config import Settings
from ticketing_common.config import load_settings
from ticketing_harness.testing.asgi import serve

from .support import JWT_KEY


@pytest.fixture
def settings(database_dsn: str, nats_url: str) -> Settings:
    return load_settings(
        Settings,
        jwt_key=JWT_KEY,
        environment="test",
        plain_http=False,
        database_url=database_dsn,
        nats_url=nats_url,
        expiration_window_seconds=900,
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the running orders app."""
    async with serve(create_app(settings)) as client:
        yield client


@pytest.fixture
async def db(client: httpx.AsyncClient, database_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the orders database, once the app has migrated it."""
    conn = await asyncpg.connect(database_dsn)
    yield conn
    await conn.close()
