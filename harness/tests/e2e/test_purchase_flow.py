"""Through the gateway of a running stack: one user sells, another buys and pays."""

from __future__ import annotations

import httpx
import pytest

from ticketing_harness.testing.stacks import RunningStack, created, unique
from ticketing_harness.waiting import eventually

# A whole stack starts within the first test of the group: allow it the time.
pytestmark = [pytest.mark.xdist_group("stack"), pytest.mark.timeout(300)]


async def _listed_ids(client: httpx.AsyncClient) -> set[str]:
    response = await client.get("/api/tickets")
    assert response.status_code == 200
    return {ticket["id"] for ticket in response.json()}


async def test_a_paid_order_completes_and_the_ticket_leaves_the_list(
    seller: httpx.AsyncClient, buyer: httpx.AsyncClient
) -> None:
    ticket = await created(seller, "/api/tickets", {"title": unique("concert"), "price": 20})
    assert ticket["id"] in await _listed_ids(buyer)

    order = await created(buyer, "/api/orders", {"ticketId": ticket["id"]})
    assert order["status"] == "created"
    payment = await created(
        buyer, "/api/payments", {"orderId": order["id"], "token": "pm_card_visa"}
    )
    assert payment["id"]

    async def complete() -> bool:
        response = await buyer.get(f"/api/orders/{order['id']}")
        return bool(response.json()["status"] == "complete")

    await eventually(complete, timeout=15, message="the order became complete")
    assert ticket["id"] not in await _listed_ids(buyer)


async def test_every_api_and_the_client_answer_through_the_gateway(
    stack: RunningStack, buyer: httpx.AsyncClient
) -> None:
    me = await buyer.get("/api/users/currentuser")
    assert me.json()["currentUser"]["email"].endswith("@example.com")
    assert (await buyer.get("/api/tickets")).status_code == 200
    assert (await buyer.get("/api/orders")).status_code == 200
    assert (await buyer.post("/api/payments", json={})).status_code == 400
    home = await buyer.get("/")
    assert home.status_code == 200
    assert "Sign out" in home.text
