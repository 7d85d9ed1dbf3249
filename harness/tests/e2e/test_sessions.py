"""Sign-out ends the session in every service: its cookie, kept by anyone, stops working."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from ticketing_harness.testing.forms import submit
from ticketing_harness.testing.stacks import RunningStack, browser, signed_up, unique
from ticketing_harness.waiting import eventually

pytestmark = [pytest.mark.xdist_group("stack"), pytest.mark.timeout(300)]


async def _answers(client: httpx.AsyncClient) -> dict[str, int]:
    """What each service answers a request that needs a signed-in user."""
    payment = {"orderId": str(uuid.uuid4()), "token": "pm_card_visa"}
    ticket = {"title": unique("Gig"), "price": 5}
    return {
        "auth": 200 if (await client.get("/api/users/currentuser")).json()["currentUser"] else 401,
        "tickets": (await client.post("/api/tickets", json=ticket)).status_code,
        "orders": (await client.get("/api/orders")).status_code,
        "payments": (await client.post("/api/payments", json=payment)).status_code,
    }


async def test_an_old_cookie_stops_working_in_every_service_after_sign_out(
    stack: RunningStack,
) -> None:
    async with signed_up(stack.url) as user, browser(stack.url) as thief:
        thief.cookies.set("session", user.cookies["session"])
        assert await _answers(thief) == {
            "auth": 200,
            "tickets": 201,
            "orders": 200,
            "payments": 404,  # signed in; the order does not exist
        }
        assert (await user.post("/api/users/signout", json={})).status_code == 200
        signed_out_at = time.monotonic()

        async def refused_everywhere() -> bool:
            return set((await _answers(thief)).values()) == {401}

        await eventually(refused_everywhere, timeout=2, message="the old cookie still works")
        print(f"every service refused the old cookie {time.monotonic() - signed_out_at:.3f}s after")
        page = await thief.get("/orders")
    assert (page.status_code, page.headers["location"]) == (303, "/auth/signin?next=/orders")


async def test_signing_out_in_the_browser_ends_the_session_too(stack: RunningStack) -> None:
    async with browser(stack.url, follow_redirects=True) as visitor:
        email = f"{unique('member')}@example.com"
        await submit(visitor, "/auth/signup", email=email, password="pw1234")
        cookie = visitor.cookies["session"]
        await submit(visitor, "/", "/auth/signout")
    async with browser(stack.url) as thief:
        thief.cookies.set("session", cookie)

        async def signed_out() -> bool:
            return (await thief.get("/api/users/currentuser")).json()["currentUser"] is None

        await eventually(signed_out, timeout=2, message="the old cookie still signs in")
        assert f"Signed in as {email}" not in (await thief.get("/")).text


async def test_another_session_of_the_same_user_goes_on(stack: RunningStack) -> None:
    async with signed_up(stack.url, "pw1234") as first:
        email = (await first.get("/api/users/currentuser")).json()["currentUser"]["email"]
        async with browser(stack.url) as second:
            body = {"email": email, "password": "pw1234"}
            assert (await second.post("/api/users/signin", json=body)).status_code == 200
            await first.post("/api/users/signout", json={})
            assert (await second.get("/api/orders")).status_code == 200
