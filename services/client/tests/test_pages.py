"""The client's pages against the real services, through the gateway of the session's stack.

Forms are posted as a browser without JavaScript would, with their hidden fields and origin;
every answer comes from the real auth, tickets, orders and payments services. One test keeps
a hand-written API, for the one answer the real services cannot be made to give (an error
without the error body).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Literal

import httpx
import pytest
from asgi_lifespan import LifespanManager
from pydantic import SecretStr

from client.app import create_app
from client.config import ClientSettings
from ticketing_harness.testing.forms import hidden_fields, origin_of, submit
from ticketing_harness.testing.stacks import RunningStack, browser, unique
from ticketing_harness.testing.stub_server import stub_server
from ticketing_harness.waiting import eventually

from .support import PASSWORD, field_error, order, sell

pytestmark = [pytest.mark.xdist_group("stack"), pytest.mark.timeout(300)]


async def _client_process(
    api_base_url: str, environment: Literal["dev", "test", "production"]
) -> AsyncIterator[httpx.AsyncClient]:
    """The client app in process, with its own settings, calling the APIs at `api_base_url`."""
    settings = ClientSettings(
        api_base_url=api_base_url, environment=environment, csrf_key=SecretStr("k" * 32)
    )
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://client") as client:
            yield client


async def test_a_field_error_from_the_api_is_shown_next_to_that_field(
    visitor: httpx.AsyncClient,
) -> None:
    page = await submit(visitor, "/auth/signup", email="not-an-email", password=PASSWORD)
    assert page.status_code == 400
    assert field_error(page.text, "email") == "Email must be valid"
    assert 'value="not-an-email"' in page.text
    assert "password-error" not in page.text
    assert "Sign out" not in page.text


async def test_an_error_without_a_field_is_shown_above_the_form(
    visitor: httpx.AsyncClient,
) -> None:
    email = f"{unique('nobody')}@example.com"
    page = await submit(visitor, "/auth/signin", email=email, password=PASSWORD)
    assert page.status_code == 400
    assert re.search(
        r'<div class="alert" role="alert">\s*<ul><li>Invalid credentials</li>', page.text
    )


async def test_sign_in_relays_the_session_cookie_and_goes_home(
    stack: RunningStack, member: httpx.AsyncClient
) -> None:
    email = (await member.get("/api/users/currentuser")).json()["currentUser"]["email"]
    async with browser(stack.url) as other:
        answer = await submit(other, "/auth/signin", email=email, password=PASSWORD)
        assert (answer.status_code, answer.headers["location"]) == (303, "/")
        [cookie] = answer.headers.get_list("set-cookie")
        assert cookie.startswith("session=") and "httponly" in cookie.lower()
        page = await other.get("/")
    assert f"Signed in as {email}" in page.text


async def test_sign_up_signs_the_browser_in_and_sign_out_signs_it_out(
    member: httpx.AsyncClient,
) -> None:
    page = await submit(member, "/", "/auth/signout")
    assert "Sign in" in page.text
    assert "Signed in as" not in page.text


async def test_the_browser_cookie_is_forwarded_to_the_api(member: httpx.AsyncClient) -> None:
    page = await member.get("/orders")
    assert (page.status_code, page.url.path) == (200, "/orders")


async def test_a_signed_out_visitor_is_sent_to_sign_in(visitor: httpx.AsyncClient) -> None:
    page = await visitor.get("/orders")
    assert str(page.url).endswith("/auth/signin?next=/orders")
    assert "<h1>Sign in</h1>" in page.text


async def test_a_sold_ticket_gets_its_own_page_and_appears_in_the_list_with_its_price(
    member: httpx.AsyncClient,
) -> None:
    title = unique("Ballet")
    ticket_path = await sell(member, title, "12.5")
    assert re.fullmatch(r"/tickets/[0-9a-f-]{36}", ticket_path)
    page = await member.get(ticket_path)
    assert f"<h1>{title}</h1>" in page.text
    assert "$12.50" in page.text
    listing = await member.get("/")
    row = re.search(
        rf"<td>{title} <span class=\"status\">yours</span></td>\s*<td[^>]*>([^<]*)</td>\s*"
        r"<td><a href=\"([^\"]*)\"",
        listing.text,
    )
    assert row is not None and row.groups() == ("$12.50", ticket_path)


async def test_selling_with_a_bad_price_shows_the_message_at_the_price_field(
    member: httpx.AsyncClient,
) -> None:
    page = await submit(member, "/tickets/new", title="Show", price="-5")
    assert page.status_code == 400
    assert field_error(page.text, "price") == "Price must be greater than 0"
    assert 'value="Show"' in page.text


async def test_an_unreachable_api_gives_a_page_with_a_message(unused_tcp_port: int) -> None:
    async for client in _client_process(f"http://127.0.0.1:{unused_tcp_port}", "dev"):
        page = await client.get("/")
        assert page.status_code == 200
        assert "unavailable" in page.text


async def test_the_order_page_counts_down_and_presets_the_test_card_in_dev(
    member: httpx.AsyncClient,
) -> None:
    page = await order(member, unique("Gig"))
    left = re.search(r'data-seconds-left="(\d+)"', page.text)
    assert left is not None
    assert 800 <= int(left.group(1)) <= 900  # the stack's window is 15 minutes
    assert 'value="pm_card_visa"' in page.text
    assert '<script src="/static/countdown.js" defer></script>' in page.text


async def test_production_presets_no_test_card(
    stack: RunningStack, member: httpx.AsyncClient
) -> None:
    order_path = (await order(member, unique("Gig"))).url.path
    async for production in _client_process(stack.url, "production"):
        page = await production.get(order_path, headers={"cookie": _session(member)})
        assert page.status_code == 200
        assert 'id="token" name="token" type="text" value=""' in page.text


async def test_a_refused_payment_is_shown_at_the_token_field(member: httpx.AsyncClient) -> None:
    order_path = (await order(member, unique("Gig"))).url.path

    async def refused() -> httpx.Response:
        page = await submit(member, order_path, f"{order_path}/pay", token="pm_card_unknown")
        assert page.status_code != 404  # payments has not heard of the order yet
        return page

    page = await eventually(refused, timeout=15, message="payments never knew the order")
    assert page.status_code in (400, 402)
    assert field_error(page.text, "token")
    assert 'value="pm_card_unknown"' in page.text


async def test_pages_and_stylesheet_load_nothing_from_the_internet(
    visitor: httpx.AsyncClient,
) -> None:
    page = await visitor.get("/")
    css = await visitor.get("/static/style.css")
    assert css.status_code == 200
    assert 'href="/static/style.css"' in page.text
    for text in (page.text, css.text):
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
        assert "@import" not in text


async def test_an_unknown_page_is_a_404_page(visitor: httpx.AsyncClient) -> None:
    page = await visitor.get("/no/such/page")
    assert page.status_code == 404
    assert "<h1>Not found</h1>" in page.text


async def test_an_unknown_api_path_gets_the_api_error_body(visitor: httpx.AsyncClient) -> None:
    answer = await visitor.post("/api/no-such-service", json={})
    assert answer.status_code == 404
    assert answer.json() == {"errors": [{"message": "Not Found"}]}


async def test_one_visitors_session_never_reaches_another_visitors_pages(
    stack: RunningStack, member: httpx.AsyncClient
) -> None:
    async with browser(stack.url) as stranger:
        for path in ("/", "/tickets/new", "/orders"):
            page = await stranger.get(path)
            assert "Signed in as" not in page.text
            assert page.status_code in (200, 303)


def _session(client: httpx.AsyncClient) -> str:
    return f"session={client.cookies['session']}"


def _gateway_page_502(path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
    return 502, "text/html", b"<html><body>502 Bad Gateway</body></html>"


async def test_an_error_without_the_error_body_shows_a_generic_message() -> None:
    # The real services always answer errors in the JSON error body: only a stand-in for a
    # gateway whose upstream is down answers like this.
    with stub_server(_gateway_page_502) as api:
        async for client in _client_process(api, "dev"):
            page = await client.get("/")
    assert page.status_code == 200
    assert "Something went wrong (status 502)." in page.text


async def test_an_unpaid_order_is_cancelled_from_its_page(member: httpx.AsyncClient) -> None:
    order_path = (await order(member, unique("Gig"))).url.path
    page = await submit(member, order_path, f"{order_path}/cancel")
    assert page.status_code == 200
    assert page.url.path == order_path
    assert '<span class="status status-cancelled">cancelled</span>' in page.text
    assert "Cancel order" not in page.text
    assert 'class="pay"' not in page.text


async def test_a_paid_order_cannot_be_cancelled_and_the_page_says_why(
    member: httpx.AsyncClient,
) -> None:
    shown = await order(member, unique("Gig"))
    order_path = shown.url.path
    # The cancel form as the buyer saw it before paying, with its CSRF token.
    cancel_form = hidden_fields(shown.text, f"{order_path}/cancel")

    async def paid() -> httpx.Response:
        page = await submit(member, order_path, f"{order_path}/pay", token="pm_card_visa")
        assert page.url.path == order_path, page.url  # payments has heard of the order
        assert page.url.query == b"paid"
        return page

    await eventually(paid, timeout=15, message="payments never knew the order")

    async def refused() -> httpx.Response:
        page = await member.post(
            f"{order_path}/cancel", data=cancel_form, headers={"origin": origin_of(member)}
        )
        assert page.status_code == 400, page.status_code  # complete once orders hears of it
        return page

    page = await eventually(refused, timeout=15, message="the order never completed")
    assert "<li>Cannot cancel a completed order</li>" in page.text


async def test_my_orders_shows_each_order_s_status_and_time_left(
    member: httpx.AsyncClient,
) -> None:
    waiting = (await order(member, unique("Waiting gig"))).url.path
    cancelled = (await order(member, unique("Cancelled gig"))).url.path
    await submit(member, cancelled, f"{cancelled}/cancel")
    page = await member.get("/orders")
    rows = {
        href: row
        for row in re.findall(r"<tr>(.*?)</tr>", page.text, re.S)
        for href in re.findall(r'href="(/orders/[^"]+)"', row)
    }
    left = re.search(r'data-seconds-left="(\d+)"', rows[waiting])
    assert left is not None
    assert 800 <= int(left.group(1)) <= 900
    assert "status-created" in rows[waiting]
    assert "status-cancelled" in rows[cancelled]
    assert "data-seconds-left" not in rows[cancelled]
    assert '<script src="/static/countdown.js" defer></script>' in page.text


REFUNDED_ORDER = {
    "id": "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d",
    "userId": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
    "status": "cancelled",
    "expiresAt": "2026-03-01T18:15:00Z",
    "ticket": {
        "id": "0b6c1f3e-8a3d-4e59-9a0c-6f1d2b7c4e11",
        "title": "Gig",
        "price": 20,
        "version": 2,
    },
    "version": 1,
    "refunded": True,
}


def _api_with_a_refunded_order(path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
    if path.startswith("/api/users/currentuser"):
        user = {"id": REFUNDED_ORDER["userId"], "email": "buyer@example.com", "iat": 0, "exp": 0}
        return 200, "application/json", json.dumps({"currentUser": user}).encode()
    if path.startswith("/api/orders/"):
        return 200, "application/json", json.dumps(REFUNDED_ORDER).encode()
    return 200, "application/json", json.dumps([REFUNDED_ORDER]).encode()


async def test_a_refunded_order_says_so_on_its_page_and_in_the_list() -> None:
    # A real refund needs a payment to lose a race with a cancel, which the stack's race test
    # provokes; here the page is checked against that answer, every time.
    with stub_server(_api_with_a_refunded_order) as api:
        async for client in _client_process(api, "dev"):
            page = await client.get(f"/orders/{REFUNDED_ORDER['id']}")
            listing = await client.get("/orders")
    refunded = '<span class="status status-refunded">refunded</span>'
    assert refunded in page.text
    assert "Your payment was refunded" in page.text
    assert "Pay $20.00" not in page.text
    assert refunded in listing.text


async def test_my_orders_come_a_page_at_a_time() -> None:
    asked: list[str] = []

    def twenty_orders(path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
        asked.append(path)
        return (
            _api_with_a_refunded_order(path, headers)
            if "currentuser" in path
            else (
                200,
                "application/json",
                json.dumps([REFUNDED_ORDER] * 20).encode(),
            )
        )

    with stub_server(twenty_orders) as api:
        async for client in _client_process(api, "dev"):
            second = await client.get("/orders?offset=20")
            nonsense = await client.get("/orders?offset=lots")
    assert "/api/orders?limit=20&offset=20" in asked
    assert "/api/orders?limit=20&offset=0" in asked
    assert 'href="/orders?offset=0">Earlier orders' in second.text
    assert 'href="/orders?offset=40">Later orders' in second.text
    assert "Earlier orders" not in nonsense.text


def _api_that_cannot_sign_out(path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
    if path == "/api/users/signout":
        body = {"errors": [{"message": "Could not sign out right now; try again in a moment"}]}
        return 503, "application/json", json.dumps(body).encode()
    return _api_with_a_refunded_order(path, headers)


async def test_a_sign_out_that_cannot_be_done_now_says_so_and_keeps_the_visitor_signed_in() -> None:
    with stub_server(_api_that_cannot_sign_out) as api:
        async for client in _client_process(api, "dev"):
            page = await submit(client, "/", "/auth/signout")
    assert page.status_code == 503
    assert "Could not sign out right now" in page.text
    assert "Signed in as buyer@example.com" in page.text
