"""The real auth app on a fresh PostgreSQL database of each test's own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from auth.app import create_app
from auth.config import Settings
from ticketing_common.config import load_settings
from ticketing_common.db import create_pool
from ticketing_harness.testing.asgi import serve

JWT_KEY = "auth-tests-signing-key-of-at-least-32-characters"


@pytest.fixture
def settings(database_dsn: str, nats_url: str) -> Settings:
    # Cheap hashing keeps the suite fast; the production cost is checked by the unit tests.
    # Rationing is generous here: its own tests set theirs.
    return load_settings(
        Settings,
        database_url=database_dsn,
        nats_url=nats_url,
        jwt_key=JWT_KEY,
        environment="test",
        password_hash_memory_kib=1024,
        password_hash_time_cost=1,
        signin_rate_per_address="1000/minute",
        signin_rate_per_account="1000/minute",
        signin_at_once_per_account=100,
        password_hash_queue=100,
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(app) as client:
        yield client


@pytest.fixture
async def pool(client: httpx.AsyncClient, database_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the auth database, once the app has migrated it."""
    pool = await create_pool(database_dsn, max_size=2)
    yield pool
    await pool.close()


async def sign_up(
    client: httpx.AsyncClient, email: str = "test@test.com", password: str = "password"
) -> httpx.Response:
    return await client.post("/api/users/signup", json={"email": email, "password": password})


async def sign_in(
    client: httpx.AsyncClient, email: str = "test@test.com", password: str = "password"
) -> httpx.Response:
    return await client.post("/api/users/signin", json={"email": email, "password": password})


def messages(response: httpx.Response) -> list[str]:
    return [error["message"] for error in response.json()["errors"]]
