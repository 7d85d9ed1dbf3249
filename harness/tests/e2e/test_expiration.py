"""With a two-second expiration window, an unpaid order expires and its ticket is for sale again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ticketing_harness.testing.stacks import (
    RunningStack,
    signed_up,
    start_stack,
    stop_stack,
    unique,
)
from ticketing_harness.waiting import eventually

# A whole stack starts within the first test of the group: allow it the time.
pytestmark = [pytest.mark.xdist_group("short-stack"), pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def short_stack() -> Iterator[RunningStack]:
    running = start_stack("--expiration-seconds", "2")
    yield running
    stop_stack(running)


async def test_an_unpaid_order_expires_and_the_ticket_returns(short_stack: RunningStack) -> None:
    async with signed_up(short_stack.url) as seller, signed_up(short_stack.url) as buyer:
        created = await seller.post("/api/tickets", json={"title": unique("gig"), "price": 5})
        assert created.status_code == 201, created.text
        ticket_id = created.json()["id"]

        async def ordered() -> str:
            response = await buyer.post("/api/orders", json={"ticketId": ticket_id})
            assert response.status_code == 201, response.text
            return str(response.json()["id"])

        order_id = await eventually(ordered, timeout=15, message="the order was created")

        async def cancelled() -> bool:
            response = await buyer.get(f"/api/orders/{order_id}")
            return bool(response.json()["status"] == "cancelled")

        await eventually(cancelled, timeout=20, message="the order expired")

        async def listed_again() -> bool:
            listing = await buyer.get("/api/tickets")
            return ticket_id in {ticket["id"] for ticket in listing.json()}

        await eventually(listed_again, timeout=15, message="the ticket was for sale again")
        edited = await seller.put(
            f"/api/tickets/{ticket_id}", json={"title": unique("after expiry"), "price": 6}
        )
        assert edited.status_code == 200, edited.text
