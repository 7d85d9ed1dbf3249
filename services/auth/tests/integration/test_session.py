"""The session cookie: who is signed in, and signing out."""

from __future__ import annotations

import httpx

from .conftest import sign_up


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
