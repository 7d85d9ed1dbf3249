"""Optimistic concurrency on the real database: a stale write is refused, saves bump versions."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import asyncpg
import pytest

from ticketing_common.errors import Conflict
from tickets import repository
from tickets.domain import Ticket


async def _stored(pool: asyncpg.Pool) -> Ticket:
    ticket = Ticket.list_for_sale(title="concert", price=Decimal("5.00"), user_id=uuid4())
    async with pool.acquire() as conn:
        await repository.add(conn, ticket)
    return ticket


async def test_implements_optimistic_concurrency_control(pool: asyncpg.Pool) -> None:
    stored = await _stored(pool)
    async with pool.acquire() as conn:
        first = await repository.get(conn, stored.id)
        second = await repository.get(conn, stored.id)
        assert first is not None and second is not None
        first.edit(by=stored.user_id, title="first", price=Decimal("10.00"))
        second.edit(by=stored.user_id, title="second", price=Decimal("15.00"))
        await repository.save(conn, first, read_version=0)
        with pytest.raises(Conflict):
            await repository.save(conn, second, read_version=0)
        saved = await repository.get(conn, stored.id)
    assert saved is not None
    assert (saved.title, saved.version) == ("first", 1)


async def test_increments_the_version_number_on_multiple_saves(pool: asyncpg.Pool) -> None:
    stored = await _stored(pool)
    versions = []
    async with pool.acquire() as conn:
        for _ in range(3):
            ticket = await repository.get(conn, stored.id)
            assert ticket is not None
            versions.append(ticket.version)
            ticket.edit(by=ticket.user_id, title=ticket.title, price=ticket.price)
            await repository.save(conn, ticket, read_version=versions[-1])
    assert versions == [0, 1, 2]
