"""Reservations through the gateway: tickets listed for them, a herd on one, a stream over many."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from ticketing_harness.bench.buyers import Buyer, Crowd, Reply
from ticketing_harness.bench.figures import Latencies
from ticketing_harness.bench.propagation import ReservationWatch
from ticketing_harness.waiting import eventually

ORDERS = "/api/orders"
TICKETS = "/api/tickets"
LISTING_SELLERS = 16


@dataclass(frozen=True)
class Run:
    """What a batch of requests got: answers by status, latencies, and how long it lasted."""

    replies: Sequence[Reply]
    seconds: float

    @property
    def by_status(self) -> dict[str, int]:
        return dict(sorted(Counter(reply.outcome for reply in self.replies).items()))

    @property
    def winners(self) -> int:
        return sum(reply.outcome == "201" for reply in self.replies)

    @property
    def latencies(self) -> Latencies:
        return Latencies.of([reply.seconds for reply in self.replies])

    @property
    def per_second(self) -> float:
        return len(self.replies) / self.seconds if self.seconds else 0.0


async def list_tickets(url: str, jwt_key: str, count: int, orders_dsn: str) -> list[str]:
    """List `count` tickets through the gateway; returns their ids once orders knows them all."""
    ids: list[str] = []
    remaining = iter(range(count))

    async def seller(buyer: Buyer) -> None:
        for n in remaining:
            reply = await buyer.post(TICKETS, {"title": f"Bench seat {n}", "price": 25})
            if reply.outcome != "201":
                raise RuntimeError(f"listing a ticket answered {reply.outcome}: {reply.body}")
            ids.append(reply.body["id"])

    async with Crowd(url, jwt_key, LISTING_SELLERS) as sellers:
        await asyncio.gather(*(seller(s) for s in sellers))
    await _replicated(orders_dsn, ids)
    return ids


async def _replicated(orders_dsn: str, ids: list[str]) -> None:
    """Wait until the orders service's replica holds every ticket: reservations find them."""
    conn = await asyncpg.connect(orders_dsn)
    wanted = [uuid.UUID(i) for i in ids]

    async def all_there() -> bool:
        known = await conn.fetchval("SELECT count(*) FROM tickets WHERE id = ANY($1)", wanted)
        return bool(known == len(wanted))

    try:
        await eventually(all_there, timeout=300, interval=0.2, message="tickets replicated")
    finally:
        await conn.close()


async def herd(url: str, jwt_key: str, ticket_id: str, buyers: int) -> Run:
    """`buyers` users, each on a new connection, reserve the same ticket at the same moment."""
    async with Crowd(url, jwt_key, buyers) as crowd:
        started = time.perf_counter()
        replies = await asyncio.gather(
            *(buyer.post(ORDERS, {"ticketId": ticket_id}) for buyer in crowd)
        )
        return Run(replies, time.perf_counter() - started)


async def distinct(
    url: str,
    jwt_key: str,
    ticket_ids: Sequence[str],
    concurrency: int,
    watch: ReservationWatch | None = None,
) -> Run:
    """`concurrency` buyers reserve the tickets one each, each buyer again as soon as answered.

    With a `watch`, each reservation's propagation to the tickets service is timed.
    """
    queue = iter(ticket_ids)
    replies: list[Reply] = []

    async def shop(buyer: Buyer) -> None:
        for ticket_id in queue:
            reply = await buyer.post(ORDERS, {"ticketId": ticket_id})
            if watch is not None and reply.outcome == "201":
                watch.reserved(ticket_id)
            replies.append(reply)

    async with Crowd(url, jwt_key, concurrency) as crowd:
        started = time.perf_counter()
        await asyncio.gather(*(shop(buyer) for buyer in crowd))
        return Run(replies, time.perf_counter() - started)
