"""The payments service running in process against the real servers of the test session."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from payments.app import create_app
from payments.config import Settings
from ticketing_common.config import load_settings
from ticketing_harness.evidence.stripe import StripeReader
from ticketing_harness.testing.asgi import serve

from .support import JWT_KEY, STRIPE_KEY


@pytest.fixture
def settings(database_dsn: str, nats_url: str, stripe_api_base: str) -> Settings:
    return load_settings(
        Settings,
        jwt_key=JWT_KEY,
        environment="test",
        database_url=database_dsn,
        nats_url=nats_url,
        stripe_secret_key=STRIPE_KEY,
        stripe_api_base=stripe_api_base,
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the running payments app."""
    async with serve(create_app(settings)) as client:
        yield client


@pytest.fixture
async def db(client: httpx.AsyncClient, database_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the payments database, once the app has migrated it."""
    conn = await asyncpg.connect(database_dsn)
    yield conn
    await conn.close()


@pytest.fixture
async def stripe_ledger(stripe_api_base: str) -> AsyncIterator[StripeReader]:
    """What localstripe holds."""
    ledger = StripeReader(stripe_api_base)
    yield ledger
    await ledger.close()
