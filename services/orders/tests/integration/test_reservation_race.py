"""Simultaneous buyers of one ticket: the database lets exactly one order hold it."""

from __future__ import annotations

import asyncio
from collections import Counter

import asyncpg
import httpx

from orders.config import Settings
from ticketing_common.bus import Bus

from ..support import list_ticket, outbox_count, signed_in

BUYERS = 200


async def test_simultaneous_orders_for_one_ticket_reserve_it_once(
    client: httpx.AsyncClient, settings: Settings, bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db)
    body = {"ticketId": str(ticket.id)}
    responses = await asyncio.gather(
        *(client.post("/api/orders", json=body, headers=signed_in(settings)) for _ in range(BUYERS))
    )
    assert Counter(r.status_code for r in responses) == {201: 1, 400: BUYERS - 1}
    refusals = {r.json()["errors"][0]["message"] for r in responses if r.status_code == 400}
    assert refusals == {"Ticket is already reserved"}
    live = await db.fetchval(
        "SELECT count(*) FROM orders WHERE ticket_id = $1 AND status IN ('created', 'complete')",
        ticket.id,
    )
    assert (live, await db.fetchval("SELECT count(*) FROM orders")) == (1, 1)
    assert await outbox_count(db, "order.created") == 1
