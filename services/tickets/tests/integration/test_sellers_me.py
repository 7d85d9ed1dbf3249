"""GET /api/tickets/sellers/me: the signed-in seller's tickets, whatever holds them."""

from __future__ import annotations

from uuid import uuid4

import httpx

from ticketing_common.bus import Bus
from ticketing_harness.testing.bus import publish
from ticketing_harness.waiting import eventually

from .conftest import ClientFor
from .events import order_created
from .tickets import create_ticket


async def test_a_seller_sees_only_their_own_tickets_reserved_ones_too_newest_first(
    seller: httpx.AsyncClient, client_for: ClientFor, bus: Bus
) -> None:
    mine = [await create_ticket(seller, title=f"mine {n}") for n in range(3)]
    await create_ticket(client_for(uuid4()), title="someone else's")
    order = order_created(mine[1])
    await publish(bus, order)

    async def listed() -> list[tuple[str, str | None]]:
        response = await seller.get("/api/tickets/sellers/me")
        assert response.status_code == 200, response.text
        found = [(ticket["id"], ticket["orderId"]) for ticket in response.json()]
        assert (mine[1]["id"], str(order.id)) in found
        return found

    found = await eventually(listed, message="the reserved ticket never showed its order")
    assert found == [
        (mine[2]["id"], None),
        (mine[1]["id"], str(order.id)),
        (mine[0]["id"], None),
    ]
    for_sale = {ticket["id"] for ticket in (await seller.get("/api/tickets")).json()}
    assert mine[1]["id"] not in for_sale


async def test_my_tickets_page_with_limit_and_offset(seller: httpx.AsyncClient) -> None:
    created = [await create_ticket(seller, title=f"t{n}") for n in range(5)]
    newest_first = [ticket["id"] for ticket in reversed(created)]
    first = await seller.get("/api/tickets/sellers/me", params={"limit": 2})
    rest = await seller.get("/api/tickets/sellers/me", params={"limit": 2, "offset": 2})
    assert [t["id"] for t in first.json()] == newest_first[:2]
    assert [t["id"] for t in rest.json()] == newest_first[2:4]
    too_big = await seller.get("/api/tickets/sellers/me", params={"limit": 101})
    assert too_big.status_code == 400
    assert too_big.json()["errors"][0]["field"] == "limit"


async def test_my_tickets_needs_a_signed_in_user(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/tickets/sellers/me")
    assert response.status_code == 401
    assert response.json() == {"errors": [{"message": "Not authorized"}]}
