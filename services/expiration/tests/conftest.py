"""The expiration service in process, against the real NATS and Redis of the test session."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings

from expiration.app import create_app
from expiration.config import Settings
from expiration.jobs import QUEUE
from ticketing_common.config import load_settings
from ticketing_harness.testing.asgi import serve

from .support import JWT_KEY


def expiration_settings(nats_url: str, redis_url: str) -> Settings:
    return load_settings(
        Settings, jwt_key=JWT_KEY, environment="test", nats_url=nats_url, redis_url=redis_url
    )


@pytest.fixture
def settings(nats_url: str, redis_url: str) -> Settings:
    return expiration_settings(nats_url, redis_url)


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The running expiration service (its health endpoints)."""
    async with serve(create_app(settings)) as client:
        yield client


@pytest.fixture
async def queue(redis_url: str) -> AsyncIterator[ArqRedis]:
    """The test's own view of the jobs in Redis."""
    redis = await create_pool(RedisSettings.from_dsn(redis_url), default_queue_name=QUEUE)
    yield redis
    await redis.aclose()
