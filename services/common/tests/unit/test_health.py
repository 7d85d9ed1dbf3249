"""Liveness always answers; readiness answers 503 naming each dependency that is not ready."""

from __future__ import annotations

import asyncio

import pytest

from ticketing_common import health
from ticketing_common.config import ServiceSettings
from ticketing_common.health import register_readiness_check
from ticketing_common.http import create_app

from .conftest import HttpClientFactory


async def ready() -> bool:
    return True


async def not_ready() -> bool:
    return False


async def unreachable() -> bool:
    raise ConnectionRefusedError("connection refused")


async def hanging() -> bool:
    await asyncio.Event().wait()
    return True


async def test_liveness_is_ok(
    service_settings: ServiceSettings, http_client: HttpClientFactory
) -> None:
    async with http_client(create_app(title="t", settings=service_settings)) as client:
        response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_ready_when_every_check_passes(
    service_settings: ServiceSettings, http_client: HttpClientFactory
) -> None:
    app = create_app(title="t", settings=service_settings)
    register_readiness_check(app, "database", ready)
    register_readiness_check(app, "bus", ready)
    async with http_client(app) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "bus": "ok"}}


async def test_not_ready_names_each_failing_check(
    service_settings: ServiceSettings,
    http_client: HttpClientFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(title="t", settings=service_settings)
    for name, check in {"database": unreachable, "cache": ready, "bus": not_ready}.items():
        register_readiness_check(app, name, check)
    async with http_client(app) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "errors": [
            {"message": "Readiness check failed: database"},
            {"message": "Readiness check failed: bus"},
        ]
    }
    assert "connection refused" in caplog.text
    assert "Readiness check 'bus': not ready" in caplog.text


async def test_a_check_that_hangs_is_not_ready(
    service_settings: ServiceSettings,
    http_client: HttpClientFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(health, "READINESS_TIMEOUT_SECONDS", 0.05)
    app = create_app(title="t", settings=service_settings)
    register_readiness_check(app, "bus", hanging)
    async with http_client(app) as client:
        response = await client.get("/readyz")
    assert (response.status_code, response.json()) == (
        503,
        {"errors": [{"message": "Readiness check failed: bus"}]},
    )


async def test_a_recovered_dependency_makes_the_service_ready_again(
    service_settings: ServiceSettings, http_client: HttpClientFactory
) -> None:
    app = create_app(title="t", settings=service_settings)
    register_readiness_check(app, "bus", not_ready)
    async with http_client(app) as client:
        before = await client.get("/readyz")
        register_readiness_check(app, "bus", ready)
        after = await client.get("/readyz")
    assert (before.status_code, after.status_code) == (503, 200)
