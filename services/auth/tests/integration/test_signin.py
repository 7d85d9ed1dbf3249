"""POST /api/users/signin: only the right password signs in; all else is "Invalid credentials"."""

from __future__ import annotations

import httpx

from .conftest import messages, sign_in, sign_up


async def test_fails_when_an_email_that_does_not_exist_is_supplied(
    client: httpx.AsyncClient,
) -> None:
    response = await sign_in(client)
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "Invalid credentials"}]}


async def test_fails_when_an_incorrect_password_is_supplied(client: httpx.AsyncClient) -> None:
    assert (await sign_up(client)).status_code == 201
    client.cookies.clear()
    response = await sign_in(client, password="wrong-password")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "Invalid credentials"}]}
    assert "set-cookie" not in response.headers


async def test_unknown_email_and_wrong_password_answer_alike(client: httpx.AsyncClient) -> None:
    await sign_up(client, email="known@x.io")
    unknown = await sign_in(client, email="unknown@x.io")
    wrong = await sign_in(client, email="known@x.io", password="wrong")
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())


async def test_responds_with_a_cookie_when_given_valid_credentials(
    client: httpx.AsyncClient,
) -> None:
    signed_up = await sign_up(client)
    client.cookies.clear()
    response = await sign_in(client)
    assert response.status_code == 200
    assert response.headers["set-cookie"].startswith("session=")
    assert response.json() == signed_up.json()


async def test_email_is_matched_whatever_its_letter_case(client: httpx.AsyncClient) -> None:
    await sign_up(client, email="case@x.io")
    response = await sign_in(client, email=" CASE@X.IO ")
    assert response.status_code == 200
    assert response.json()["email"] == "case@x.io"


async def test_password_is_trimmed_as_it_was_at_signup(client: httpx.AsyncClient) -> None:
    await sign_up(client, password=" secret ")
    assert (await sign_in(client, password="secret")).status_code == 200


async def test_missing_password_must_be_supplied(client: httpx.AsyncClient) -> None:
    missing = await client.post("/api/users/signin", json={"email": "test@test.com"})
    blank = await sign_in(client, password="   ")
    for response in (missing, blank):
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {"message": "You must supply a password", "field": "password"}
        ]


async def test_invalid_email_is_refused_before_any_lookup(client: httpx.AsyncClient) -> None:
    response = await sign_in(client, email="not-an-email")
    assert response.status_code == 400
    assert messages(response) == ["Email must be valid"]
