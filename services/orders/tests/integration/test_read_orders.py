"""GET /api/orders and GET /api/orders/{id}: a buyer sees their own orders only."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from orders.config import Settings
from ticketing_common.bus import Bus

from ..support import list_ticket, place_order, signed_in

# Fixed, so that parallel workers collect the same test ids.
ABSENT = "0b6c1f3e-8a3d-4e59-9a0c-6f1d2b7c4e11"


async def test_list_shows_only_my_orders_oldest_first_with_their_tickets(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    one, two, three = [await list_ticket(bus, db, title=f"Show {n}") for n in range(3)]
    me, someone = signed_in(settings), signed_in(settings)
    await place_order(client, someone, one.id)
    mine = [await place_order(client, me, two.id), await place_order(client, me, three.id)]
    response = await client.get("/api/orders", headers=me)
    assert response.status_code == 200
    assert response.json() == mine
    assert [order["ticket"]["id"] for order in response.json()] == [str(two.id), str(three.id)]


async def test_list_of_a_user_without_orders_is_empty(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.get("/api/orders", headers=signed_in(settings))
    assert (response.status_code, response.json()) == (200, [])


async def test_show_fetches_my_order(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db)
    me = signed_in(settings)
    order = await place_order(client, me, ticket.id)
    response = await client.get(f"/api/orders/{order['id']}", headers=me)
    assert (response.status_code, response.json()) == (200, order)


async def test_show_of_another_users_order_is_forbidden(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db)
    order = await place_order(client, signed_in(settings), ticket.id)
    response = await client.get(f"/api/orders/{order['id']}", headers=signed_in(settings))
    assert response.status_code == 403
    assert response.json() == {"errors": [{"message": "Forbidden"}]}


@pytest.mark.parametrize("order_id", [ABSENT, "not-an-id", "1234"])
async def test_show_of_an_absent_or_malformed_id_is_not_found(
    client: httpx.AsyncClient, settings: Settings, order_id: str
) -> None:
    response = await client.get(f"/api/orders/{order_id}", headers=signed_in(settings))
    assert response.status_code == 404
    assert response.json() == {"errors": [{"message": "Not Found"}]}


@pytest.mark.parametrize("path", ["/api/orders", f"/api/orders/{ABSENT}", "/api/orders/x"])
async def test_reading_orders_requires_a_signed_in_user(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 401


async def test_the_list_comes_in_pages_like_the_ticket_list(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    me = signed_in(settings)
    tickets = [await list_ticket(bus, db, title=f"Show {n}") for n in range(5)]
    placed = [await place_order(client, me, ticket.id) for ticket in tickets]
    first = await client.get("/api/orders", params={"limit": 2}, headers=me)
    rest = await client.get("/api/orders", params={"limit": 2, "offset": 2}, headers=me)
    past = await client.get("/api/orders", params={"offset": 5}, headers=me)
    assert [first.json(), rest.json(), past.json()] == [placed[:2], placed[2:4], []]
    assert (await client.get("/api/orders", headers=me)).json() == placed


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "x"}])
async def test_a_page_out_of_bounds_is_refused_by_name(
    client: httpx.AsyncClient, settings: Settings, params: dict[str, int | str]
) -> None:
    response = await client.get("/api/orders", params=params, headers=signed_in(settings))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == next(iter(params))
