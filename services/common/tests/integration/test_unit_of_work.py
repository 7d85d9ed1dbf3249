"""A unit of work commits a change and the events of the aggregates it tracked, or neither."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg
import pytest

from ticketing_common.aggregate import Aggregate
from ticketing_common.envelope import Envelope
from ticketing_common.unit_of_work import Database

from .helpers import ticket_created


@dataclass
class Counter(Aggregate):
    """A sample aggregate: each bump records a ticket.created event."""

    id: uuid.UUID

    def bump(self) -> None:
        self.record(ticket_created(title=f"bump of {self.id}"))


async def _outbox(pool: asyncpg.Pool) -> list[Envelope]:
    rows = await pool.fetch("SELECT payload FROM outbox ORDER BY seq")
    return [Envelope.from_bytes(row["payload"]) for row in rows]


async def test_tracked_events_commit_with_the_change_in_order(pool: asyncpg.Pool) -> None:
    db = Database(pool, "tickets")
    counter = Counter(uuid.uuid4())
    async with db.unit_of_work() as uow:
        await uow.conn.execute("INSERT INTO counters (id) VALUES ($1)", counter.id)
        uow.track(counter).bump()
        counter.bump()
    stored = await _outbox(pool)
    assert [e.data["title"] for e in stored] == [f"bump of {counter.id}"] * 2
    assert {e.producer for e in stored} == {"tickets"}
    assert counter.pop_events() == []
    assert await pool.fetchval("SELECT count(*) FROM counters") == 1


async def test_a_failure_keeps_neither_the_change_nor_its_events(pool: asyncpg.Pool) -> None:
    db = Database(pool, "tickets")
    counter = Counter(uuid.uuid4())
    with pytest.raises(RuntimeError, match="the use case failed"):
        async with db.unit_of_work() as uow:
            await uow.conn.execute("INSERT INTO counters (id) VALUES ($1)", counter.id)
            uow.track(counter).bump()
            raise RuntimeError("the use case failed")
    assert await _outbox(pool) == []
    assert await pool.fetchval("SELECT count(*) FROM counters") == 0


async def test_events_of_an_untracked_aggregate_are_not_written(pool: asyncpg.Pool) -> None:
    db = Database(pool, "tickets")
    untracked = Counter(uuid.uuid4())
    async with db.unit_of_work():
        untracked.bump()
    assert await _outbox(pool) == []
    assert len(untracked.pop_events()) == 1
