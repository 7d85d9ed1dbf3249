"""PUT /api/tickets/{id}: only the seller edits, never while reserved; every edit is announced."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from ticketing_common.bus import Bus
from ticketing_common.events import TicketUpdated
from ticketing_harness.testing.bus import publish, wait_published
from ticketing_harness.waiting import eventually

from .conftest import ClientFor
from .events import order_created
from .tickets import create_ticket, messages, show_ticket


async def _reserved(client: httpx.AsyncClient, ticket: dict[str, Any]) -> bool:
    return (await show_ticket(client, ticket["id"]))["orderId"] is not None


async def test_returns_a_404_if_the_provided_id_does_not_exist(seller: httpx.AsyncClient) -> None:
    response = await seller.put(f"/api/tickets/{uuid.uuid4()}", json={"title": "t", "price": 20})
    assert response.status_code == 404
    malformed = await seller.put("/api/tickets/nope", json={"title": "t", "price": 20})
    assert malformed.status_code == 404


async def test_returns_a_401_if_the_user_is_not_authenticated(
    client: httpx.AsyncClient, seller: httpx.AsyncClient
) -> None:
    ticket = await create_ticket(seller)
    response = await client.put(f"/api/tickets/{ticket['id']}", json={"title": "t", "price": 20})
    assert response.status_code == 401


async def test_returns_a_403_if_the_user_does_not_own_the_ticket(
    seller: httpx.AsyncClient, client_for: ClientFor
) -> None:
    ticket = await create_ticket(seller)
    other = client_for(uuid.uuid4())
    response = await other.put(f"/api/tickets/{ticket['id']}", json={"title": "x", "price": 1000})
    assert response.status_code == 403
    assert await show_ticket(other, ticket["id"]) == ticket


async def test_non_owner_gets_403_even_when_the_ticket_is_reserved(
    seller: httpx.AsyncClient, client_for: ClientFor, bus: Bus
) -> None:
    ticket = await create_ticket(seller)
    await publish(bus, order_created(ticket))
    await eventually(lambda: _reserved(seller, ticket), message="ticket reserved")
    other = client_for(uuid.uuid4())
    response = await other.put(f"/api/tickets/{ticket['id']}", json={"title": "x", "price": 1})
    assert response.status_code == 403


async def test_returns_a_400_if_the_user_provides_an_invalid_title_or_price(
    seller: httpx.AsyncClient,
) -> None:
    ticket = await create_ticket(seller)
    path = f"/api/tickets/{ticket['id']}"
    no_title = await seller.put(path, json={"title": "", "price": 20})
    bad_price = await seller.put(path, json={"title": "concert", "price": -10})
    assert (no_title.status_code, bad_price.status_code) == (400, 400)
    assert messages(no_title) == ["Title is required"]
    assert messages(bad_price) == ["Price must be greater than 0"]
    assert (await show_ticket(seller, ticket["id"]))["version"] == 0


async def test_updates_the_ticket_provided_valid_inputs(seller: httpx.AsyncClient) -> None:
    ticket = await create_ticket(seller)
    response = await seller.put(
        f"/api/tickets/{ticket['id']}", json={"title": "new title", "price": 100}
    )
    assert response.status_code == 200
    assert response.json()["version"] == 1
    shown = await show_ticket(seller, ticket["id"])
    assert (shown["title"], shown["price"], shown["version"]) == ("new title", 100, 1)


async def test_publishes_an_event_per_change(seller: httpx.AsyncClient, bus: Bus) -> None:
    ticket = await create_ticket(seller)
    await seller.put(f"/api/tickets/{ticket['id']}", json={"title": "new", "price": 12.5})
    await wait_published(bus, "ticket.created", 1)
    (event,) = await wait_published(bus, "ticket.updated", 1)
    data = event.payload()
    assert isinstance(data, TicketUpdated)
    assert (data.version, data.title, str(data.price), data.order_id) == (1, "new", "12.50", None)


async def test_rejects_updates_if_the_ticket_is_reserved(
    seller: httpx.AsyncClient, bus: Bus
) -> None:
    ticket = await create_ticket(seller)
    await publish(bus, order_created(ticket))
    await eventually(lambda: _reserved(seller, ticket), message="ticket reserved")
    response = await seller.put(f"/api/tickets/{ticket['id']}", json={"title": "x", "price": 1})
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "Cannot edit a reserved ticket"}]}


async def test_simultaneous_edits_each_get_their_own_version(
    seller: httpx.AsyncClient, bus: Bus
) -> None:
    ticket = await create_ticket(seller)
    responses = await asyncio.gather(
        *(
            seller.put(f"/api/tickets/{ticket['id']}", json={"title": f"t{n}", "price": n + 1})
            for n in range(10)
        )
    )
    assert sorted(r.json()["version"] for r in responses) == list(range(1, 11))
    events = await wait_published(bus, "ticket.updated", 10)
    assert sorted(event.data["version"] for event in events) == list(range(1, 11))
    assert (await show_ticket(seller, ticket["id"]))["version"] == 10
