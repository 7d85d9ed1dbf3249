"""Helpers of the client's page tests: selling and ordering through the forms."""

from __future__ import annotations

import re

import httpx

from ticketing_harness.testing.forms import submit
from ticketing_harness.testing.stacks import created, signed_up
from ticketing_harness.waiting import eventually

PASSWORD = "pw1234"


def field_error(html: str, name: str) -> str:
    match = re.search(rf'<p class="field-error" id="{name}-error">([^<]*)</p>', html)
    assert match, f"no error shown for {name}"
    return match.group(1)


async def sell(member: httpx.AsyncClient, title: str, price: str = "12.5") -> str:
    """List a ticket through the form; returns the ticket page's path."""
    page = await submit(member, "/tickets/new", title=title, price=price)
    assert page.status_code == 200, page.text
    return page.url.path


async def listed_by_another(member: httpx.AsyncClient, title: str, price: float = 5) -> str:
    """A ticket a new seller lists through the API; returns its page's path."""
    async with signed_up(str(member.base_url)) as seller:
        ticket = await created(seller, "/api/tickets", {"title": title, "price": price})
    return f"/tickets/{ticket['id']}"


async def pay(member: httpx.AsyncClient, order_path: str) -> httpx.Response:
    """Pay an order with the test card through its form, once payments knows it."""

    async def paid() -> httpx.Response:
        page = await submit(member, order_path, f"{order_path}/pay", token="pm_card_visa")
        assert page.url.path == order_path, page.url  # payments has heard of the order
        return page

    return await eventually(paid, timeout=15, message="payments never knew the order")


async def order(member: httpx.AsyncClient, title: str) -> httpx.Response:
    """Buy another seller's new ticket as soon as orders knows it; returns the order page."""
    ticket_path = await listed_by_another(member, title)

    async def purchased() -> httpx.Response:
        page = await submit(member, ticket_path, f"{ticket_path}/purchase")
        assert re.fullmatch(r"/orders/[0-9a-f-]{36}", page.url.path), page.url
        return page

    return await eventually(purchased, timeout=15, message="the ticket never became orderable")
