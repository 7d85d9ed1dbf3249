"""POST /api/tickets: a signed-in user lists a ticket; ticket.created is published."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import httpx

from ticketing_common.bus import Bus
from ticketing_common.events import TicketCreated
from ticketing_harness.testing.bus import wait_published

from .tickets import create_ticket, messages


async def test_has_a_route_handler_listening_to_api_tickets_for_post_requests(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/api/tickets", json={})
    assert response.status_code != 404


async def test_can_only_be_accessed_if_the_user_is_signed_in(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/tickets", json={})
    assert response.status_code == 401
    assert response.json() == {"errors": [{"message": "Not authorized"}]}


async def test_returns_a_status_other_than_401_if_the_user_is_signed_in(
    seller: httpx.AsyncClient,
) -> None:
    response = await seller.post("/api/tickets", json={})
    assert response.status_code != 401


async def test_returns_an_error_if_an_invalid_title_is_provided(seller: httpx.AsyncClient) -> None:
    empty = await seller.post("/api/tickets", json={"title": "", "price": 10})
    missing = await seller.post("/api/tickets", json={"price": 10})
    for response in (empty, missing):
        assert response.status_code == 400
        assert response.json()["errors"] == [{"message": "Title is required", "field": "title"}]


async def test_returns_an_error_if_an_invalid_price_is_provided(seller: httpx.AsyncClient) -> None:
    negative = await seller.post("/api/tickets", json={"title": "concert", "price": -10})
    missing = await seller.post("/api/tickets", json={"title": "concert"})
    assert (negative.status_code, missing.status_code) == (400, 400)
    assert negative.json()["errors"] == [
        {"message": "Price must be greater than 0", "field": "price"}
    ]
    assert messages(missing) == ["Price is required"]


async def test_price_with_more_than_two_decimals_or_above_the_maximum_is_refused(
    seller: httpx.AsyncClient,
) -> None:
    fractional = await seller.post("/api/tickets", json={"title": "concert", "price": 19.999})
    huge = await seller.post("/api/tickets", json={"title": "concert", "price": 1_000_000})
    most = await seller.post("/api/tickets", json={"title": "concert", "price": 999_999.99})
    assert messages(fractional) == ["Price must have at most two decimals"]
    assert messages(huge) == ["Price must be at most 999,999.99"]
    assert most.status_code == 201


async def test_title_is_trimmed_and_at_most_200_characters(seller: httpx.AsyncClient) -> None:
    assert (await create_ticket(seller, title="  padded  "))["title"] == "padded"
    too_long = await seller.post("/api/tickets", json={"title": "x" * 201, "price": 1})
    assert messages(too_long) == ["Title must be at most 200 characters"]


async def test_creates_a_ticket_with_valid_inputs(
    seller: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    assert await pool.fetchval("SELECT count(*) FROM tickets") == 0
    ticket = await create_ticket(seller, title="asldkfj", price=20)
    assert ticket["title"] == "asldkfj"
    assert ticket["price"] == 20
    assert (ticket["version"], ticket["orderId"]) == (0, None)
    rows = await pool.fetch("SELECT title, price FROM tickets")
    assert [(row["title"], row["price"]) for row in rows] == [("asldkfj", Decimal("20.00"))]


async def test_price_is_stored_and_answered_exactly(
    seller: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    ticket = await create_ticket(seller, price=19.99)
    assert ticket["price"] == 19.99
    assert await pool.fetchval("SELECT price FROM tickets") == Decimal("19.99")


async def test_publishes_a_ticket_created_event(seller: httpx.AsyncClient, bus: Bus) -> None:
    ticket = await create_ticket(seller, title="concert", price=19.99)
    (event,) = await wait_published(bus, "ticket.created", 1)
    data = event.payload()
    assert isinstance(data, TicketCreated)
    assert (str(data.id), data.version, data.price) == (ticket["id"], 0, Decimal("19.99"))
    assert event.producer == "tickets"


async def test_unparseable_body_is_refused(seller: httpx.AsyncClient) -> None:
    response = await seller.post(
        "/api/tickets", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
