"""The session cookie: who is signed in, and signing out, which ends the session for good."""

from __future__ import annotations

import httpx

from auth.app import create_app
from auth.config import Settings
from ticketing_harness.servers import NatsServer
from ticketing_harness.testing.asgi import serve

from .conftest import messages, sign_up


async def test_responds_with_details_about_the_current_user(client: httpx.AsyncClient) -> None:
    signed_up = (await sign_up(client)).json()
    response = await client.get("/api/users/currentuser")
    assert response.status_code == 200
    current = response.json()["currentUser"]
    assert (current["id"], current["email"]) == (signed_up["id"], "test@test.com")
    assert current["exp"] > current["iat"]


async def test_responds_with_null_if_not_authenticated(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/users/currentuser")
    assert (response.status_code, response.json()) == (200, {"currentUser": None})


async def test_tampered_cookie_counts_as_signed_out(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    token = client.cookies["session"]
    client.cookies.clear()
    client.cookies.set("session", token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    response = await client.get("/api/users/currentuser")
    assert response.json() == {"currentUser": None}


async def test_clears_the_cookie_after_signing_out(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    response = await client.post("/api/users/signout", json={})
    assert (response.status_code, response.json()) == (200, {})
    cleared = response.headers["set-cookie"]
    assert cleared.startswith('session=""')
    assert "Max-Age=0" in cleared
    assert (await client.get("/api/users/currentuser")).json() == {"currentUser": None}


async def test_a_signed_out_cookie_no_longer_signs_anyone_in(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    old_cookie = {"cookie": f"session={client.cookies['session']}"}
    await client.post("/api/users/signout", json={})
    client.cookies.clear()
    response = await client.get("/api/users/currentuser", headers=old_cookie)
    assert response.json() == {"currentUser": None}


async def test_sign_out_that_cannot_reach_the_bus_keeps_the_session_and_says_so(
    settings: Settings, private_nats_server: NatsServer
) -> None:
    private = settings.model_copy(update={"nats_url": private_nats_server.url})
    async with serve(create_app(private)) as client:
        await sign_up(client)
        private_nats_server.stop()
        response = await client.post("/api/users/signout", json={})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert "set-cookie" not in response.headers
    assert messages(response) == ["Could not sign out right now; try again in a moment"]
