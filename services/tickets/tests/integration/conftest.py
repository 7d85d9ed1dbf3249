"""The real tickets app on a fresh database and a clean JetStream; users with real sessions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from ticketing_common.auth import AuthConfig
from ticketing_common.config import load_settings
from ticketing_common.db import create_pool
from ticketing_harness.testing.asgi import serve
from ticketing_harness.testing.sessions import session_headers
from ticketing_harness.waiting import eventually
from tickets.app import create_app
from tickets.config import Settings

JWT_KEY = "tickets-tests-signing-key-of-at-least-32-characters"

# Users are signed in with a real session cookie; `client_for(user_id)` gives their client.
ClientFor = Callable[[UUID], httpx.AsyncClient]


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Settings a test changes: `@pytest.mark.parametrize("settings_overrides", [{...}])`."""
    return {}


@pytest.fixture
def settings(database_dsn: str, nats_url: str, settings_overrides: dict[str, Any]) -> Settings:
    return load_settings(
        Settings,
        **{
            "database_url": database_dsn,
            "nats_url": nats_url,
            "jwt_key": JWT_KEY,
            "environment": "test",
            "event_max_deliveries": 10,
            "event_retry_delay_seconds": 0.1,
            **settings_overrides,
        },
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An anonymous client of the running app; every event it committed is published by the end."""
    async with serve(app) as client:
        yield client
        await eventually(partial(_outbox_relayed, app), message="the outbox was relayed")


async def _outbox_relayed(app: FastAPI) -> bool:
    unsent = await app.state.service.db.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE sent_at IS NULL"
    )
    return bool(unsent == 0)


@pytest.fixture
async def client_for(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> AsyncIterator[ClientFor]:
    config = AuthConfig.from_settings(settings)
    opened: list[httpx.AsyncClient] = []

    def signed_in(user_id: UUID) -> httpx.AsyncClient:
        opened.append(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url=str(client.base_url),
                headers=session_headers(config, user_id),
            )
        )
        return opened[-1]

    yield signed_in
    for signed_in_client in opened:
        await signed_in_client.aclose()


@pytest.fixture
def seller(client_for: ClientFor) -> httpx.AsyncClient:
    """A signed-in user selling tickets."""
    return client_for(uuid4())


@pytest.fixture
async def pool(client: httpx.AsyncClient, database_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the tickets database, once the app has migrated it."""
    pool = await create_pool(database_dsn, max_size=2)
    yield pool
    await pool.close()
