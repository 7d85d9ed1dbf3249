"""POST /api/orders with an Idempotency-Key: a retry gets the first answer and reserves nothing."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx

from orders.config import Settings
from ticketing_common.bus import Bus

from ..support import list_ticket, outbox_count, signed_in


def _keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


async def test_a_retry_with_the_same_key_and_body_gets_the_first_answer_and_no_new_order(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db)
    headers = _keyed(signed_in(settings), str(uuid.uuid4()))
    body = {"ticketId": str(ticket.id)}
    first = await client.post("/api/orders", json=body, headers=headers)
    retry = await client.post("/api/orders", json=body, headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert await db.fetchval("SELECT count(*) FROM orders") == 1
    assert await outbox_count(db, "order.created") == 1


async def test_without_a_key_a_second_order_for_the_ticket_is_refused(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db)
    headers = signed_in(settings)
    body = {"ticketId": str(ticket.id)}
    assert (await client.post("/api/orders", json=body, headers=headers)).status_code == 201
    second = await client.post("/api/orders", json=body, headers=headers)
    assert (second.status_code, second.json()["errors"][0]["message"]) == (
        400,
        "Ticket is already reserved",
    )


async def test_the_same_key_with_another_body_is_refused_and_orders_nothing(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    first_ticket, other_ticket = await list_ticket(bus, db), await list_ticket(bus, db)
    headers = _keyed(signed_in(settings), "order-attempt-1")
    await client.post("/api/orders", json={"ticketId": str(first_ticket.id)}, headers=headers)
    other = await client.post(
        "/api/orders", json={"ticketId": str(other_ticket.id)}, headers=headers
    )
    assert other.status_code == 409
    assert other.json() == {
        "errors": [
            {
                "message": "This Idempotency-Key was used with another request",
                "field": "Idempotency-Key",
            }
        ]
    }
    assert await db.fetchval("SELECT count(*) FROM orders") == 1


async def test_keys_belong_to_their_user(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    first_ticket, other_ticket = await list_ticket(bus, db), await list_ticket(bus, db)
    mine = _keyed(signed_in(settings), "same-key")
    theirs = _keyed(signed_in(settings), "same-key")
    a = await client.post("/api/orders", json={"ticketId": str(first_ticket.id)}, headers=mine)
    b = await client.post("/api/orders", json={"ticketId": str(other_ticket.id)}, headers=theirs)
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]


async def test_simultaneous_retries_make_one_order_and_all_get_its_answer(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db)
    headers = _keyed(signed_in(settings), str(uuid.uuid4()))
    body = {"ticketId": str(ticket.id)}
    answers = await asyncio.gather(
        *(client.post("/api/orders", json=body, headers=headers) for _ in range(10))
    )
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert await db.fetchval("SELECT count(*) FROM orders") == 1


async def test_a_refused_request_leaves_its_key_free_for_a_retry(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    headers = _keyed(signed_in(settings), str(uuid.uuid4()))
    ticket_id = uuid.uuid4()
    unknown = await client.post("/api/orders", json={"ticketId": str(ticket_id)}, headers=headers)
    assert unknown.status_code == 404
    ticket = await list_ticket(bus, db)
    known = await client.post("/api/orders", json={"ticketId": str(ticket.id)}, headers=headers)
    assert known.status_code == 201


async def test_a_malformed_key_is_refused_by_name(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    headers = _keyed(signed_in(settings), "has spaces")
    response = await client.post(
        "/api/orders", json={"ticketId": str(uuid.uuid4())}, headers=headers
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
