"""The client's pages against a small real HTTP server that answers like the APIs do."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import httpx
import pytest
from asgi_lifespan import LifespanManager

from client.app import create_app
from client.config import ClientSettings

SESSION = "session=abc123; Path=/; HttpOnly; SameSite=Lax"


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeApi:
    """What the API server answers per (method, path), and the requests it received."""

    replies: dict[tuple[str, str], Reply] = field(default_factory=dict)
    received: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)
    url: str = ""

    def body_of(self, method: str, path: str) -> Any:
        """The JSON body of the last such request."""
        return [body for m, p, _, body in self.received if (m, p) == (method, path)][-1]

    def reply(self, method: str, path: str, status: int, body: Any, **headers: str) -> None:
        self.replies[(method, path)] = Reply(status, body, headers)


def _serve(api: FakeApi) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            headers = {name.lower(): value for name, value in self.headers.items()}
            api.received.append((self.command, self.path, headers, body))
            reply = api.replies.get(
                (self.command, self.path), Reply(404, {"errors": [{"message": "Not Found"}]})
            )
            payload = json.dumps(reply.body).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in reply.headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


@pytest.fixture
def api() -> Iterator[FakeApi]:
    fake = FakeApi()
    fake.reply("GET", "/api/users/currentuser", 200, {"currentUser": None})
    server = _serve(fake)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()


async def _browser(
    base_url: str, environment: Literal["dev", "test", "production"] = "dev"
) -> AsyncIterator[httpx.AsyncClient]:
    settings = ClientSettings(api_base_url=base_url, environment=environment)
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://client") as client:
            yield client


@pytest.fixture
async def browser(api: FakeApi) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _browser(api.url):
        yield client


def _field_error(html: str, name: str) -> str:
    match = re.search(rf'<p class="field-error" id="{name}-error">([^<]*)</p>', html)
    assert match, f"no error shown for {name}"
    return match.group(1)


async def test_a_field_error_from_the_api_is_shown_next_to_that_field(
    api: FakeApi, browser: httpx.AsyncClient
) -> None:
    api.reply(
        "POST",
        "/api/users/signup",
        400,
        {"errors": [{"message": "Email must be valid", "field": "email"}]},
    )
    page = await browser.post("/auth/signup", data={"email": "nope", "password": "pw12"})
    assert page.status_code == 400
    assert _field_error(page.text, "email") == "Email must be valid"
    assert 'value="nope"' in page.text
    assert "password-error" not in page.text


async def test_an_error_without_a_field_is_shown_above_the_form(
    api: FakeApi, browser: httpx.AsyncClient
) -> None:
    api.reply("POST", "/api/users/signin", 400, {"errors": [{"message": "Invalid credentials"}]})
    page = await browser.post("/auth/signin", data={"email": "a@b.c", "password": "x"})
    assert page.status_code == 400
    assert re.search(
        r'<div class="alert" role="alert">\s*<ul><li>Invalid credentials</li>', page.text
    )


async def test_sign_in_relays_the_session_cookie_and_goes_home(
    api: FakeApi, browser: httpx.AsyncClient
) -> None:
    api.reply("POST", "/api/users/signin", 200, {"id": "u1", "email": "a@b.c"}, set_cookie=SESSION)
    response = await browser.post("/auth/signin", data={"email": "a@b.c", "password": "pw12"})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert response.headers.get_list("set-cookie") == [SESSION]
    assert api.body_of("POST", "/api/users/signin") == {"email": "a@b.c", "password": "pw12"}


async def test_the_browser_cookie_is_forwarded_to_the_api(
    api: FakeApi, browser: httpx.AsyncClient
) -> None:
    api.reply("GET", "/api/orders", 200, [])
    await browser.get("/orders", headers={"cookie": "session=abc123"})
    calls = [(path, headers.get("cookie")) for _, path, headers, _ in api.received]
    assert ("/api/orders", "session=abc123") in calls


async def test_a_signed_out_visitor_is_sent_to_sign_in(
    api: FakeApi, browser: httpx.AsyncClient
) -> None:
    api.reply("GET", "/api/orders", 401, {"errors": [{"message": "Not authorized"}]})
    response = await browser.get("/orders")
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/signin?next=/orders"


async def test_the_ticket_list_shows_titles_prices_and_links(
    api: FakeApi, browser: httpx.AsyncClient
) -> None:
    api.reply("GET", "/api/tickets", 200, [{"id": "t1", "title": "Concert", "price": 20}])
    page = await browser.get("/")
    assert page.status_code == 200
    assert "Concert" in page.text
    assert "$20.00" in page.text
    assert 'href="/tickets/t1"' in page.text


async def test_selling_with_a_bad_price_shows_the_message_at_the_price_field(
    api: FakeApi, browser: httpx.AsyncClient
) -> None:
    api.reply(
        "POST",
        "/api/tickets",
        400,
        {"errors": [{"message": "Price must be greater than 0", "field": "price"}]},
    )
    page = await browser.post("/tickets/new", data={"title": "Gig", "price": "-1"})
    assert _field_error(page.text, "price") == "Price must be greater than 0"
    assert api.body_of("POST", "/api/tickets") == {"title": "Gig", "price": -1.0}


async def test_an_unreachable_api_gives_a_page_with_a_message(unused_tcp_port: int) -> None:
    async for browser in _browser(f"http://127.0.0.1:{unused_tcp_port}"):
        page = await browser.get("/")
        assert page.status_code == 200
        assert "unavailable" in page.text


async def test_the_order_page_counts_down_and_presets_the_test_card_in_dev(
    api: FakeApi, browser: httpx.AsyncClient
) -> None:
    expires = (datetime.now(UTC) + timedelta(seconds=90)).isoformat()
    order = {
        "id": "o1",
        "status": "created",
        "expiresAt": expires,
        "ticket": {"id": "t1", "title": "Gig", "price": 5},
    }
    api.reply("GET", "/api/orders/o1", 200, order)
    page = await browser.get("/orders/o1")
    left = re.search(r'data-seconds-left="(\d+)"', page.text)
    assert left
    seconds = int(left.group(1))
    assert 80 <= seconds <= 90
    assert 'value="pm_card_visa"' in page.text
    assert '<script src="/static/countdown.js" defer></script>' in page.text


async def test_production_presets_no_test_card(api: FakeApi) -> None:
    expires = (datetime.now(UTC) + timedelta(seconds=90)).isoformat()
    order = {
        "id": "o1",
        "status": "created",
        "expiresAt": expires,
        "ticket": {"id": "t1", "title": "Gig", "price": 5},
    }
    api.reply("GET", "/api/orders/o1", 200, order)
    async for browser in _browser(api.url, "production"):
        page = await browser.get("/orders/o1")
        assert 'id="token" name="token" type="text" value=""' in page.text


async def test_a_declined_payment_is_shown_at_the_token_field(
    api: FakeApi, browser: httpx.AsyncClient
) -> None:
    order = {
        "id": "o1",
        "status": "created",
        "expiresAt": datetime.now(UTC).isoformat(),
        "ticket": {"id": "t1", "title": "Gig", "price": 5},
    }
    api.reply("GET", "/api/orders/o1", 200, order)
    api.reply(
        "POST",
        "/api/payments",
        402,
        {"errors": [{"message": "Your card was declined", "field": "token"}]},
    )
    page = await browser.post("/orders/o1/pay", data={"token": "pm_card_chargeDeclined"})
    assert page.status_code == 402
    assert _field_error(page.text, "token") == "Your card was declined"
    assert 'value="pm_card_chargeDeclined"' in page.text


async def test_pages_and_stylesheet_load_nothing_from_the_internet(
    api: FakeApi, browser: httpx.AsyncClient
) -> None:
    api.reply("GET", "/api/tickets", 200, [])
    page = await browser.get("/")
    css = await browser.get("/static/style.css")
    assert css.status_code == 200
    assert 'href="/static/style.css"' in page.text
    for text in (page.text, css.text):
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
        assert "@import" not in text


async def test_an_unknown_page_is_a_404_page(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/no/such/page")
    assert page.status_code == 404
    assert "<h1>Not found</h1>" in page.text


async def test_an_unknown_api_path_gets_the_api_error_body(browser: httpx.AsyncClient) -> None:
    answer = await browser.post("/api/no-such-service", json={})
    assert answer.status_code == 404
    assert answer.json() == {"errors": [{"message": "Not Found"}]}


async def test_one_visitors_session_never_reaches_another_visitors_requests(
    api: FakeApi, browser: httpx.AsyncClient
) -> None:
    api.reply("POST", "/api/users/signin", 200, {"id": "u1", "email": "a@b.c"}, set_cookie=SESSION)
    api.reply("GET", "/api/tickets", 200, [])
    await browser.post("/auth/signin", data={"email": "a@b.c", "password": "pw12"})
    browser.cookies.clear()
    await browser.get("/")
    assert [headers.get("cookie") for _, _, headers, _ in api.received[1:]] == [None, None]
