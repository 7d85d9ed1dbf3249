"""The auth service's health, readiness (database, bus, signed-out sessions) and OpenAPI."""

from __future__ import annotations

import httpx

from auth.domain import EMAIL, MAX_INPUT_LENGTH, NEW_PASSWORD, SUPPLIED_PASSWORD


async def test_ready_when_its_database_bus_and_session_list_answer(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    checks = {"database": "ok", "bus": "ok", "sessions": "ok"}
    assert response.json() == {"status": "ok", "checks": checks}


async def test_alive(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_openapi_documents_every_route_and_one_error_body(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    paths = document["paths"]
    for path in ("signup", "signin", "signout", "currentuser"):
        assert f"/api/users/{path}" in paths
    signup = paths["/api/users/signup"]["post"]["responses"]
    assert set(signup) == {"201", "4XX", "429", "503"}
    assert set(signup["429"]["headers"]) == {"Retry-After"}
    assert signup["4XX"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }


async def test_the_schema_states_exactly_the_rules_the_api_applies(
    client: httpx.AsyncClient,
) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    sign_up, sign_in = schemas["SignUpIn"]["properties"], schemas["SignInIn"]["properties"]
    assert sign_up["email"]["pattern"] == sign_in["email"]["pattern"] == f"^{EMAIL}$"
    assert sign_up["password"]["pattern"] == f"^{NEW_PASSWORD}$"
    assert sign_in["password"]["pattern"] == f"^{SUPPLIED_PASSWORD}$"
    assert sign_up["email"]["maxLength"] == MAX_INPUT_LENGTH
