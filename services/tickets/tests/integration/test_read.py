"""GET /api/tickets and /api/tickets/{id}: any ticket by id; free ones listed, newest first."""

from __future__ import annotations

import uuid

import httpx

from ticketing_common.bus import Bus
from ticketing_harness.testing.bus import publish
from ticketing_harness.waiting import eventually

from .events import order_created
from .tickets import create_ticket, show_ticket


async def test_returns_a_404_if_the_ticket_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/api/tickets/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json() == {"errors": [{"message": "Not Found"}]}


async def test_malformed_id_is_404(client: httpx.AsyncClient) -> None:
    for ticket_id in ("not-an-id", "1234", "{" + str(uuid.uuid4()) + "}"):
        assert (await client.get(f"/api/tickets/{ticket_id}")).status_code == 404


async def test_returns_the_ticket_if_the_ticket_is_found(
    client: httpx.AsyncClient, seller: httpx.AsyncClient
) -> None:
    created = await create_ticket(seller, title="concert", price=20)
    assert await show_ticket(client, created["id"]) == created


async def test_can_fetch_a_list_of_tickets(
    client: httpx.AsyncClient, seller: httpx.AsyncClient
) -> None:
    for title in ("a", "b", "c"):
        await create_ticket(seller, title=title)
    response = await client.get("/api/tickets")
    assert response.status_code == 200
    assert len(response.json()) == 3


async def test_list_is_newest_first_and_pages_with_limit_and_offset(
    client: httpx.AsyncClient, seller: httpx.AsyncClient
) -> None:
    created = [await create_ticket(seller, title=f"t{n}") for n in range(5)]
    newest_first = [ticket["id"] for ticket in reversed(created)]
    first = await client.get("/api/tickets", params={"limit": 2})
    rest = await client.get("/api/tickets", params={"limit": 2, "offset": 2})
    assert [t["id"] for t in first.json()] == newest_first[:2]
    assert [t["id"] for t in rest.json()] == newest_first[2:4]


async def test_list_pages_20_tickets_unless_told_and_at_most_100(
    client: httpx.AsyncClient, seller: httpx.AsyncClient
) -> None:
    for n in range(21):
        await create_ticket(seller, title=f"t{n}")
    assert len((await client.get("/api/tickets")).json()) == 20
    assert len((await client.get("/api/tickets", params={"limit": 100})).json()) == 21
    too_big = await client.get("/api/tickets", params={"limit": 101})
    assert too_big.status_code == 400
    assert too_big.json()["errors"][0]["field"] == "limit"


async def test_reserved_tickets_are_not_listed_but_can_be_shown(
    client: httpx.AsyncClient, seller: httpx.AsyncClient, bus: Bus
) -> None:
    kept = await create_ticket(seller, title="kept")
    sold = await create_ticket(seller, title="sold")
    order = order_created(sold)
    await publish(bus, order)

    async def hidden() -> bool:
        listed = {t["id"] for t in (await client.get("/api/tickets")).json()}
        return listed == {kept["id"]}

    await eventually(hidden, message="the reserved ticket left the list")
    assert (await show_ticket(client, sold["id"]))["orderId"] == str(order.id)
