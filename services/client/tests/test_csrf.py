"""Every form refuses a post from another site, or without the visitor's own CSRF token.

The attacker is a page on another port of the same host: the same site, so the browser
sends the visitor's SameSite=Lax cookies along, with that page's origin. It knows the
form's fields and may fetch a token of its own, but not the visitor's.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import httpx
import pytest

from ticketing_harness.testing.forms import hidden_fields, origin_of
from ticketing_harness.testing.stacks import RunningStack, browser, signed_up, unique

from .support import PASSWORD, listed_by_another, order, sell

pytestmark = [pytest.mark.xdist_group("stack"), pytest.mark.timeout(300)]

EVIL = "http://127.0.0.1:9"  # another port of the same host


async def _token_of(client: httpx.AsyncClient, page: str, action: str) -> str:
    """The CSRF token a client's own copy of the form carries."""
    return hidden_fields((await client.get(page)).text, action)["csrf_token"]


async def _attacker_token(stack: RunningStack, page: str, action: str) -> str:
    """What the attacker can get: the token of its own copy of the form."""
    async with browser(stack.url) as attacker:
        return await _token_of(attacker, page, action)


async def _forge(
    victim: httpx.AsyncClient, action: str, data: dict[str, str], **headers: str
) -> httpx.Response:
    """Post as the attacker's page would make the victim's browser post."""
    return await victim.post(action, data=data, headers={"origin": EVIL, **headers})


def _refused(page: httpx.Response) -> None:
    assert page.status_code == 403, page.text
    assert "<h1>This form was refused</h1>" in page.text
    assert "Nothing was changed" in page.text


async def _signed_in_as(client: httpx.AsyncClient) -> str | None:
    match = re.search(r"Signed in as ([^<]+)</p>", (await client.get("/")).text)
    return match.group(1) if match else None


async def test_a_forged_sign_up_creates_no_account_and_signs_nobody_in(
    stack: RunningStack, visitor: httpx.AsyncClient
) -> None:
    email = f"{unique('forged')}@example.com"
    token = await _attacker_token(stack, "/auth/signup", "/auth/signup")
    await visitor.get("/")
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    _refused(await _forge(visitor, "/auth/signup", data))
    assert await _signed_in_as(visitor) is None
    async with browser(stack.url) as owner:
        created = await owner.post("/api/users/signup", json={"email": email, "password": PASSWORD})
    assert created.status_code == 201


async def test_a_forged_sign_in_does_not_sign_the_visitor_in_as_the_attacker(
    stack: RunningStack, visitor: httpx.AsyncClient
) -> None:
    async with signed_up(stack.url, PASSWORD) as attacker:
        email = (await attacker.get("/api/users/currentuser")).json()["currentUser"]["email"]
        token = await _token_of(attacker, "/auth/signin", "/auth/signin")
    await visitor.get("/")
    page = await _forge(
        visitor, "/auth/signin", {"email": email, "password": PASSWORD, "csrf_token": token}
    )
    _refused(page)
    assert "session" not in visitor.cookies
    assert await _signed_in_as(visitor) is None


async def test_a_forged_sign_out_leaves_the_member_signed_in(
    stack: RunningStack, member: httpx.AsyncClient
) -> None:
    token = await _attacker_token(stack, "/auth/signin", "/auth/signin")
    _refused(await _forge(member, "/auth/signout", {"csrf_token": token}))
    assert await _signed_in_as(member) is not None


async def test_a_forged_sale_lists_nothing(stack: RunningStack, member: httpx.AsyncClient) -> None:
    title = unique("Forged")
    token = await _attacker_token(stack, "/auth/signin", "/auth/signin")
    data = {"title": title, "price": "5", "csrf_token": token}
    _refused(await _forge(member, "/tickets/new", data))
    assert title not in (await member.get("/")).text


async def test_a_forged_purchase_orders_nothing(
    stack: RunningStack, member: httpx.AsyncClient
) -> None:
    async with signed_up(stack.url) as seller:
        created = await seller.post("/api/tickets", json={"title": unique("Gig"), "price": 5})
    ticket_path = f"/tickets/{created.json()['id']}"
    _refused(await _forge(member, f"{ticket_path}/purchase", {}))
    assert (await member.get("/api/orders")).json() == []


async def test_a_forged_edit_changes_nothing(
    stack: RunningStack, member: httpx.AsyncClient
) -> None:
    title = unique("Kept")
    ticket_path = await sell(member, title, "5")
    token = await _attacker_token(stack, "/auth/signin", "/auth/signin")
    data = {"title": "Forged", "price": "1", "csrf_token": token}
    _refused(await _forge(member, f"{ticket_path}/edit", data))
    ticket = (await member.get(f"/api{ticket_path}")).json()
    assert (ticket["title"], ticket["price"]) == (title, 5)


async def test_a_forged_payment_charges_nothing(member: httpx.AsyncClient) -> None:
    order_path = (await order(member, unique("Gig"))).url.path
    _refused(await _forge(member, f"{order_path}/pay", {"token": "pm_card_visa"}))
    status = (await member.get(f"/api{order_path}")).json()["status"]
    assert status == "created"


Attack = Callable[[RunningStack, httpx.AsyncClient, dict[str, str]], Awaitable[httpx.Response]]


async def _without_a_token(
    stack: RunningStack, member: httpx.AsyncClient, fields: dict[str, str]
) -> httpx.Response:
    return await member.post("/tickets/new", data=fields, headers={"origin": origin_of(member)})


async def _with_another_visitors_token(
    stack: RunningStack, member: httpx.AsyncClient, fields: dict[str, str]
) -> httpx.Response:
    token = await _attacker_token(stack, "/auth/signin", "/auth/signin")
    data = {**fields, "csrf_token": token}
    return await member.post("/tickets/new", data=data, headers={"origin": origin_of(member)})


async def _from_another_origin(
    stack: RunningStack, member: httpx.AsyncClient, fields: dict[str, str]
) -> httpx.Response:
    token = await _token_of(member, "/tickets/new", "/tickets/new")
    return await _forge(member, "/tickets/new", {**fields, "csrf_token": token})


async def _with_no_origin_or_referer(
    stack: RunningStack, member: httpx.AsyncClient, fields: dict[str, str]
) -> httpx.Response:
    token = await _token_of(member, "/tickets/new", "/tickets/new")
    return await member.post("/tickets/new", data={**fields, "csrf_token": token})


async def _with_the_token_of_its_session_before_sign_in(
    stack: RunningStack, member: httpx.AsyncClient, fields: dict[str, str]
) -> httpx.Response:
    session = member.cookies["session"]
    member.cookies.delete("session")
    token = await _token_of(member, "/auth/signin", "/auth/signin")
    member.cookies.set("session", session)
    data = {**fields, "csrf_token": token}
    return await member.post("/tickets/new", data=data, headers={"origin": origin_of(member)})


@pytest.mark.parametrize(
    "attack",
    [
        _without_a_token,
        _with_another_visitors_token,
        _from_another_origin,
        _with_no_origin_or_referer,
        _with_the_token_of_its_session_before_sign_in,
    ],
)
async def test_each_check_alone_refuses_the_form(
    stack: RunningStack, member: httpx.AsyncClient, attack: Attack
) -> None:
    title = unique("Forged")
    _refused(await attack(stack, member, {"title": title, "price": "5"}))
    assert title not in (await member.get("/")).text


async def test_a_browser_that_sends_a_referer_and_no_origin_is_accepted(
    member: httpx.AsyncClient,
) -> None:
    title = unique("Referred")
    token = await _token_of(member, "/tickets/new", "/tickets/new")
    referer = {"referer": f"{origin_of(member)}/tickets/new"}
    page = await member.post(
        "/tickets/new", data={"title": title, "price": "5", "csrf_token": token}, headers=referer
    )
    assert page.status_code == 200
    assert f"<h1>{title}</h1>" in page.text


async def test_every_form_of_the_site_carries_the_same_token_for_one_visitor(
    member: httpx.AsyncClient,
) -> None:
    ticket_path = await listed_by_another(member, unique("Gig"))
    mine = await sell(member, unique("Mine"))
    order_path = (await order(member, unique("Gig"))).url.path
    forms = [
        ("/", "/auth/signout"),
        ("/tickets/new", "/tickets/new"),
        (ticket_path, f"{ticket_path}/purchase"),
        (order_path, f"{order_path}/pay"),
        (f"{mine}/edit", f"{mine}/edit"),
    ]
    tokens = {await _token_of(member, path, action) for path, action in forms}
    assert len(tokens) == 1
    assert len(tokens.pop()) == 64
