"""A unit of work commits a change and the events of the aggregates it tracked, or neither;
the events carry the request or event that caused them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg
import pytest

from ticketing_common.aggregate import Aggregate
from ticketing_common.bus import Bus
from ticketing_common.envelope import Envelope
from ticketing_common.events import TicketCreated
from ticketing_common.listeners import Consumer, Listener, Verdict
from ticketing_common.tracing import Cause, caused_by
from ticketing_common.unit_of_work import Database, UnitOfWork

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


async def test_events_carry_the_request_that_caused_them(pool: asyncpg.Pool) -> None:
    db = Database(pool, "tickets")
    with caused_by(Cause.request("request-0123456789")):
        async with db.unit_of_work() as uow:
            uow.track(Counter(uuid.uuid4())).bump()
    [stored] = await _outbox(pool)
    assert (stored.correlation_id, stored.causation_id) == ("request-0123456789",) * 2


async def test_an_event_s_handler_carries_its_chain_on_with_the_event_as_cause(
    pool: asyncpg.Pool, bus: Bus
) -> None:
    db = Database(pool, "tickets")

    async def bump(uow: UnitOfWork, event: TicketCreated) -> None:
        uow.track(Counter(uuid.uuid4())).bump()

    listener = Listener.transactional(durable="d", event=TicketCreated, db=db, handle=bump)
    incoming = Envelope.wrap(ticket_created(), cause=Cause.request("request-0123456789"))
    outcome = await Consumer(bus, listener).process(incoming.to_bytes())
    assert outcome.verdict is Verdict.APPLIED
    [stored] = await _outbox(pool)
    assert (stored.correlation_id, stored.causation_id) == ("request-0123456789", str(incoming.id))


async def test_work_no_request_or_event_caused_writes_events_without_trace_ids(
    pool: asyncpg.Pool,
) -> None:
    async with Database(pool, "tickets").unit_of_work() as uow:
        uow.track(Counter(uuid.uuid4())).bump()
    [row] = await pool.fetch("SELECT payload FROM outbox")
    assert b"correlationId" not in row["payload"]
    assert b"causationId" not in row["payload"]
