"""The tickets service's health, readiness (database and bus) and OpenAPI document."""

from __future__ import annotations

import asyncio

import httpx

from ticketing_harness.servers import NatsServer
from ticketing_harness.testing.asgi import serve
from ticketing_harness.waiting import eventually
from tickets.app import create_app
from tickets.config import Settings


async def test_ready_when_database_and_bus_answer(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    checks = {"database": "ok", "bus": "ok", "sessions": "ok"}
    assert response.json() == {"status": "ok", "checks": checks}


async def test_not_ready_while_the_bus_is_down_and_ready_again_after(
    settings: Settings, private_nats_server: NatsServer
) -> None:
    app = create_app(settings.model_copy(update={"nats_url": private_nats_server.url}))
    async with serve(app) as client:
        await asyncio.to_thread(private_nats_server.stop)

        async def bus_not_ready() -> bool:
            response = await client.get("/readyz")
            return response.status_code == 503 and response.json() == {
                "errors": [{"message": "Readiness check failed: bus"}]
            }

        await eventually(bus_not_ready, message="readiness named the bus")
        await asyncio.to_thread(private_nats_server.start)

        async def ready() -> bool:
            return (await client.get("/readyz")).status_code == 200

        await eventually(ready, timeout=15, message="ready again after the bus came back")


async def test_alive(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_openapi_documents_every_route_and_one_error_body(
    client: httpx.AsyncClient,
) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert set(paths["/api/tickets"]) == {"get", "post"}
    assert set(paths["/api/tickets/{ticket_id}"]) == {"get", "put"}
    listing = paths["/api/tickets"]["get"]
    limit = next(p for p in listing["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["default"], limit["schema"]["maximum"]) == (20, 100)
    for operation in (*paths["/api/tickets"].values(), *paths["/api/tickets/{ticket_id}"].values()):
        assert "422" not in operation["responses"]
        assert operation["responses"]["4XX"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"
        }
