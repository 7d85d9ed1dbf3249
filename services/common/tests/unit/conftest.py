"""Settings and an in-process HTTP client for the shared library's HTTP-layer tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from ticketing_common.config import ServiceSettings, load_settings

HttpClientFactory = Callable[[FastAPI], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def service_settings() -> ServiceSettings:
    return load_settings(
        ServiceSettings,
        service_name="test-service",
        environment="test",
        jwt_key="a-test-signing-key-of-more-than-32-characters",
        plain_http=False,
    )


@pytest.fixture
def http_client() -> HttpClientFactory:
    """Open an httpx client on an app, over https so Secure cookies travel back."""

    @asynccontextmanager
    async def open_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            yield client

    return open_client
