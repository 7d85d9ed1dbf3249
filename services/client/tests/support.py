"""Helpers of the client's page tests: selling and ordering through the forms."""

from __future__ import annotations

import re

import httpx

from ticketing_harness.testing.forms import submit
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


async def order(member: httpx.AsyncClient, title: str) -> httpx.Response:
    """Sell a ticket and buy it as soon as orders knows it; returns the order page."""
    ticket_path = await sell(member, title, "5")

    async def purchased() -> httpx.Response:
        page = await submit(member, ticket_path, f"{ticket_path}/purchase")
        assert re.fullmatch(r"/orders/[0-9a-f-]{36}", page.url.path), page.url
        return page

    return await eventually(purchased, timeout=15, message="the ticket never became orderable")
