"""A cancel handled while its order's reservation runs, in another consumer: never a ticket
left held by a cancelled order (found by the chaos suite's smoke scenario)."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
from fastapi import FastAPI

from ticketing_common.events import OrderCreated
from ticketing_common.unit_of_work import Database
from ticketing_harness.waiting import eventually
from tickets import handlers

from .events import order_cancelled, order_created
from .tickets import create_ticket, show_ticket


async def _reserve(db: Database, order: OrderCreated) -> None:
    async with db.unit_of_work() as uow:
        await handlers.reserve_ticket(uow, order)


async def _a_transaction_waits_for_a_lock(pool: asyncpg.Pool) -> bool:
    return bool(
        await pool.fetchval(
            "SELECT count(*) > 0 FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
    )


async def test_an_order_cancelled_while_it_is_being_reserved_leaves_the_ticket_free(
    app: FastAPI, seller: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    ticket = await create_ticket(seller)
    created = order_created(ticket)
    db: Database = app.state.service.db
    async with db.unit_of_work() as cancelling:
        # The cancel holds the ticket; the order's end is not committed yet.
        await handlers.release_ticket(cancelling, order_cancelled(created))
        reserving = asyncio.create_task(_reserve(db, created))
        await eventually(
            lambda: _a_transaction_waits_for_a_lock(pool),
            message="the reservation never waited for the cancel",
        )
    await reserving
    shown = await show_ticket(seller, ticket["id"])
    assert (shown["orderId"], shown["version"]) == (None, 0)
