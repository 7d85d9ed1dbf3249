"""POST /api/users/signup: a valid email and password create one account and sign it in."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx

from .conftest import messages, sign_up


async def test_returns_201_on_successful_signup(client: httpx.AsyncClient) -> None:
    response = await sign_up(client)
    assert response.status_code == 201
    assert response.json()["email"] == "test@test.com"
    assert set(response.json()) == {"id", "email"}


async def test_returns_400_with_an_invalid_email(client: httpx.AsyncClient) -> None:
    response = await sign_up(client, email="alskdflaskjfd")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "Email must be valid", "field": "email"}]}


async def test_returns_400_with_an_invalid_password(client: httpx.AsyncClient) -> None:
    response = await sign_up(client, password="p")
    assert response.status_code == 400
    assert messages(response) == ["Password must be between 4 and 20 characters"]


async def test_password_length_is_counted_after_trimming(client: httpx.AsyncClient) -> None:
    assert (await sign_up(client, password="  abc  ")).status_code == 400
    assert (await sign_up(client, password="a" * 21)).status_code == 400
    assert (await sign_up(client, password="  abcd  ")).status_code == 201


async def test_returns_400_with_missing_email_and_password(client: httpx.AsyncClient) -> None:
    no_password = await client.post("/api/users/signup", json={"email": "test@test.com"})
    no_email = await client.post("/api/users/signup", json={"password": "password"})
    assert (no_password.status_code, no_email.status_code) == (400, 400)
    assert no_password.json()["errors"] == [
        {"message": "Password must be between 4 and 20 characters", "field": "password"}
    ]
    assert no_email.json()["errors"] == [{"message": "Email must be valid", "field": "email"}]


async def test_disallows_duplicate_emails(client: httpx.AsyncClient) -> None:
    assert (await sign_up(client)).status_code == 201
    duplicate = await sign_up(client)
    assert duplicate.status_code == 400
    assert duplicate.json() == {"errors": [{"message": "Email in use"}]}


async def test_duplicate_email_is_refused_whatever_its_letter_case(
    client: httpx.AsyncClient,
) -> None:
    assert (await sign_up(client, email="a@x.io")).status_code == 201
    duplicate = await sign_up(client, email="  A@X.io ")
    assert duplicate.status_code == 400
    assert messages(duplicate) == ["Email in use"]


async def test_email_is_stored_trimmed_and_lower_cased(client: httpx.AsyncClient) -> None:
    response = await sign_up(client, email="  Mixed.Case@Example.COM ")
    assert response.status_code == 201
    assert response.json()["email"] == "mixed.case@example.com"


async def test_simultaneous_signups_with_one_email_create_one_account(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    responses = await asyncio.gather(
        *(sign_up(client, email=f"{'RACE' if i % 2 else 'race'}@x.io") for i in range(20))
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [400] * 19
    refusals = [messages(r) for r in responses if r.status_code == 400]
    assert all(refusal == ["Email in use"] for refusal in refusals)
    assert await pool.fetchval("SELECT count(*) FROM users") == 1


async def test_sets_a_cookie_after_successful_signup(client: httpx.AsyncClient) -> None:
    response = await sign_up(client)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    assert "samesite=lax" in cookie.lower()


async def test_password_is_stored_as_an_argon2id_hash(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await sign_up(client, password="password")
    stored = await pool.fetchval("SELECT password_hash FROM users")
    assert stored.startswith("$argon2id$")
    assert "password" not in stored
