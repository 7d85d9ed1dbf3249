"""The web client's pages through the gateway, against the real services, without JavaScript."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from ticketing_harness.testing.stacks import RunningStack, unique

# A whole stack starts within the first test of the group: allow it the time.
pytestmark = [pytest.mark.xdist_group("stack"), pytest.mark.timeout(300)]


@pytest.fixture
async def visitor(stack: RunningStack) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie-keeping client that, like a browser without JavaScript, submits forms."""
    async with httpx.AsyncClient(base_url=stack.url, follow_redirects=True, timeout=10) as client:
        yield client


def _field_error(html: str, name: str) -> str:
    match = re.search(rf'<p class="field-error" id="{name}-error">([^<]*)</p>', html)
    assert match, f"no error shown for {name}"
    return match.group(1)


async def test_sign_up_with_a_bad_email_shows_auths_message_at_the_email_field(
    visitor: httpx.AsyncClient,
) -> None:
    page = await visitor.post("/auth/signup", data={"email": "not-an-email", "password": "pw1234"})
    assert page.status_code == 400
    assert _field_error(page.text, "email")
    assert "Sign out" not in page.text


async def test_sign_up_signs_the_browser_in_and_sign_out_signs_it_out(
    visitor: httpx.AsyncClient,
) -> None:
    email = f"{unique('page')}@example.com"
    page = await visitor.post("/auth/signup", data={"email": email, "password": "pw1234"})
    assert page.status_code == 200
    assert f"Signed in as {email}" in page.text
    page = await visitor.post("/auth/signout")
    assert "Sign in" in page.text
    assert "Signed in as" not in page.text


async def test_selling_with_a_bad_price_shows_the_tickets_message_at_the_price_field(
    visitor: httpx.AsyncClient,
) -> None:
    email = f"{unique('seller')}@example.com"
    await visitor.post("/auth/signup", data={"email": email, "password": "pw1234"})
    page = await visitor.post("/tickets/new", data={"title": "Show", "price": "-5"})
    assert page.status_code == 400
    assert _field_error(page.text, "price")
    assert 'value="Show"' in page.text


async def test_a_sold_ticket_gets_its_own_page_and_appears_in_the_list(
    visitor: httpx.AsyncClient,
) -> None:
    await visitor.post(
        "/auth/signup", data={"email": f"{unique('s')}@example.com", "password": "pw1234"}
    )
    title = unique("Ballet")
    page = await visitor.post("/tickets/new", data={"title": title, "price": "12.5"})
    assert page.status_code == 200
    assert re.search(r"/tickets/[0-9a-f-]{36}$", str(page.url))
    assert f"<h1>{title}</h1>" in page.text
    assert "$12.50" in page.text
    listing = await visitor.get("/")
    assert title in listing.text


async def test_pages_that_need_a_session_send_visitors_to_sign_in(
    visitor: httpx.AsyncClient,
) -> None:
    page = await visitor.get("/orders")
    assert str(page.url).endswith("/auth/signin?next=/orders")
    assert "<h1>Sign in</h1>" in page.text
