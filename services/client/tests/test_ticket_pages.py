"""The ticket pages offer only what the visitor may do: no purchase of one's own, a reserved or
a sold ticket, which say so; the seller's own tickets, each editable while no order holds it.

As browsers without JavaScript, against the session's stack.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from ticketing_harness.testing.forms import hidden_fields, origin_of, submit
from ticketing_harness.testing.stacks import RunningStack, browser, created, signed_up, unique
from ticketing_harness.waiting import eventually

from .support import field_error, listed_by_another, order, pay, sell

pytestmark = [pytest.mark.xdist_group("stack"), pytest.mark.timeout(300)]

PURCHASE_FORM = re.compile(r'<form method="post" action="/tickets/[^"]+/purchase"')


@pytest.fixture
async def stranger(stack: RunningStack) -> AsyncIterator[httpx.AsyncClient]:
    """Another signed-in user, who neither sells nor ordered the tickets of the test."""
    async with signed_up(stack.url) as client:
        yield client


def _note(page: httpx.Response) -> str:
    match = re.search(r'<p class="note" id="ticket-note">(.*?)</p>', page.text, re.S)
    assert match, page.text
    return re.sub(r"<[^>]+>", "", match.group(1))


def _state(page: httpx.Response) -> str:
    match = re.search(r'<span class="status state-[a-z-]+">([^<]+)</span>', page.text)
    assert match, page.text
    return match.group(1)


async def _once_shown(client: httpx.AsyncClient, ticket_path: str, state: str) -> httpx.Response:
    """The ticket's page once it shows `state`: tickets hears of orders through events."""

    async def shown() -> httpx.Response:
        page = await client.get(ticket_path)
        assert _state(page) == state, _state(page)
        return page

    return await eventually(shown, timeout=30, message=f"the ticket never showed as {state}")


async def _ticket_of(member: httpx.AsyncClient, order_page: httpx.Response) -> str:
    body = (await member.get(f"/api{order_page.url.path}")).json()
    return f"/tickets/{body['ticket']['id']}"


async def test_a_ticket_for_sale_offers_the_purchase_to_others_only(
    stack: RunningStack, member: httpx.AsyncClient, stranger: httpx.AsyncClient
) -> None:
    ticket_path = await sell(member, unique("Mine"))
    own = await member.get(ticket_path)
    assert not PURCHASE_FORM.search(own.text)
    assert _note(own) == "This is your ticket, for sale. Edit it."
    assert f'href="{ticket_path}/edit"' in own.text
    assert _state(own) == "for sale"

    assert PURCHASE_FORM.search((await stranger.get(ticket_path)).text)
    async with browser(stack.url) as visitor:
        signed_out = await visitor.get(ticket_path)
    assert not PURCHASE_FORM.search(signed_out.text)
    assert f'href="/auth/signin?next={ticket_path}">Sign in to buy</a>' in signed_out.text


async def test_a_reserved_ticket_says_so_offers_no_purchase_and_leads_its_buyer_to_the_order(
    member: httpx.AsyncClient, stranger: httpx.AsyncClient
) -> None:
    order_page = await order(member, unique("Held"))
    ticket_path = await _ticket_of(member, order_page)
    seen = await _once_shown(stranger, ticket_path, "reserved")
    assert not PURCHASE_FORM.search(seen.text)
    assert _note(seen) == (
        "This ticket is reserved by another buyer until their order is paid or expires."
    )
    own_view = await member.get(ticket_path)
    assert not PURCHASE_FORM.search(own_view.text)
    assert f'<a href="{order_page.url.path}">pay for it</a>' in own_view.text


async def test_a_paid_ticket_says_sold_not_reserved(
    member: httpx.AsyncClient, stranger: httpx.AsyncClient
) -> None:
    order_page = await order(member, unique("Sold"))
    ticket_path = await _ticket_of(member, order_page)
    await pay(member, order_page.url.path)
    seen = await _once_shown(stranger, ticket_path, "sold")
    assert _note(seen) == "This ticket is sold."
    assert not PURCHASE_FORM.search(seen.text)
    assert "reserved" not in seen.text
    bought = await member.get(ticket_path)
    assert _note(bought) == "You bought this ticket: see your order."


async def test_my_tickets_lists_each_of_the_seller_s_tickets_with_its_state(
    stack: RunningStack, member: httpx.AsyncClient
) -> None:
    free = await sell(member, unique("Free"))
    held = await sell(member, unique("Held"))
    async with signed_up(stack.url) as buyer:
        await _reserve(buyer, held)

    async def rows() -> dict[str, str]:
        page = await member.get("/tickets/mine")
        found = {
            href: row
            for row in re.findall(r"<tr>(.*?)</tr>", page.text, re.S)
            for href in re.findall(r'href="(/tickets/[^"/]+)', row)
        }
        assert "reserved" in found[held]
        return found

    found = await eventually(rows, timeout=15, message="the reserved ticket never showed so")
    assert "for sale" in found[free] and f'href="{free}/edit">Edit</a>' in found[free]
    assert f'href="{held}">View</a>' in found[held] and "/edit" not in found[held]


async def _reserve(buyer: httpx.AsyncClient, ticket_path: str) -> None:
    await created(buyer, "/api/orders", {"ticketId": ticket_path.removeprefix("/tickets/")})


async def test_the_seller_edits_title_and_price_and_errors_show_at_their_field(
    member: httpx.AsyncClient,
) -> None:
    ticket_path = await sell(member, unique("Before"), "10")
    form = await member.get(f"{ticket_path}/edit")
    assert 'name="price" type="text" value="10.00"' in form.text
    refused = await submit(member, f"{ticket_path}/edit", title="  ", price="0")
    assert refused.status_code == 400
    assert field_error(refused.text, "title") == "Title is required"
    assert field_error(refused.text, "price") == "Price must be greater than 0"
    title = unique("After")
    saved = await submit(member, f"{ticket_path}/edit", title=title, price="12.5")
    assert (saved.status_code, saved.url.path) == (200, ticket_path)
    assert f"<h1>{title}</h1>" in saved.text and "$12.50" in saved.text


async def test_a_held_ticket_has_no_edit_form_and_a_late_edit_says_why_in_the_form(
    stack: RunningStack, member: httpx.AsyncClient
) -> None:
    ticket_path = await sell(member, unique("Racing"), "10")
    form = await member.get(f"{ticket_path}/edit")
    fields = hidden_fields(form.text, f"{ticket_path}/edit")
    async with signed_up(stack.url) as buyer:
        await _reserve(buyer, ticket_path)

    async def refused() -> httpx.Response:
        page = await member.post(
            f"{ticket_path}/edit",
            data={**fields, "title": "Changed", "price": "1"},
            headers={"origin": origin_of(member)},
        )
        assert page.status_code == 400, page.status_code  # once tickets has the reservation
        return page

    page = await eventually(refused, timeout=15, message="the edit was never refused")
    assert re.search(
        r'<div class="alert" role="alert">\s*<ul><li>Cannot edit a reserved', page.text
    )
    assert f'action="{ticket_path}/edit"' not in page.text
    assert "neither its title nor its price can change" in _note(page)
    again = await member.get(f"{ticket_path}/edit")
    assert f'action="{ticket_path}/edit"' not in again.text


async def test_only_the_seller_may_edit_a_ticket(member: httpx.AsyncClient) -> None:
    ticket_path = await listed_by_another(member, unique("Theirs"))
    page = await member.get(f"{ticket_path}/edit")
    assert page.status_code == 403
    assert "Only the ticket&#39;s seller can edit it." in page.text
    assert f'action="{ticket_path}/edit"' not in page.text
    # Even with a valid form of its own, the API refuses.
    token = hidden_fields((await member.get("/tickets/new")).text, "/tickets/new")
    posted = await member.post(
        f"{ticket_path}/edit",
        data={**token, "title": "Mine now", "price": "1"},
        headers={"origin": origin_of(member)},
    )
    assert posted.status_code == 403
    assert "<li>You do not own this ticket</li>" in posted.text


async def test_the_order_page_right_after_payment_says_it_is_confirming(
    member: httpx.AsyncClient,
) -> None:
    order_path = (await order(member, unique("Confirming"))).url.path
    page = await member.get(f"{order_path}?paid")
    assert "payment received, confirming" in page.text
    assert "left to pay" not in page.text and 'class="pay"' not in page.text
    assert '<script src="/static/confirming.js" defer></script>' in page.text
    assert "Reload the page to see it." in page.text  # without JavaScript
    paid = await pay(member, order_path)
    assert "left to pay" not in paid.text
    assert "payment received, confirming" in paid.text or "status-complete" in paid.text
