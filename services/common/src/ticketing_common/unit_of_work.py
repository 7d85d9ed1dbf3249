"""One transaction per use case: the events of the records it changed commit with the change.

A command handler opens a unit of work, loads and changes its aggregates, saves them and
tracks them; leaving the block writes every event the tracked aggregates recorded to the
outbox, then commits. An exception rolls everything back, events included:

    async with db.unit_of_work() as uow:
        ticket = uow.track(await repository.get(uow.conn, ticket_id, for_update=True))
        ticket.edit(by=user_id, title=title, price=price)
        await repository.save(uow.conn, ticket, read_version)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

import asyncpg

from ticketing_common.aggregate import Aggregate
from ticketing_common.db import Connection
from ticketing_common.outbox import enqueue

AggregateT = TypeVar("AggregateT", bound=Aggregate)


class UnitOfWork:
    """An open transaction, and the aggregates whose events it writes to the outbox."""

    def __init__(self, conn: Connection, service: str) -> None:
        self.conn = conn
        self.service = service
        self._tracked: list[Aggregate] = []

    def track(self, aggregate: AggregateT) -> AggregateT:
        """Write the events `aggregate` records to the outbox when this unit commits."""
        self._tracked.append(aggregate)
        return aggregate

    async def write_events(self) -> None:
        """Store every event the tracked aggregates recorded, in the transaction.

        Raises:
            ContractViolation: the catalog does not let this service publish one of them;
                the whole unit of work rolls back.
        """
        for aggregate in self._tracked:
            for event in aggregate.pop_events():
                await enqueue(self.conn, event, service=self.service)


@dataclass(frozen=True)
class Database:
    """A service's connection pool, and the service (as the catalog names it) whose events
    its units of work write."""

    pool: asyncpg.Pool
    service: str

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """A new transaction; its events are written and it commits when the block ends."""
        async with self.pool.acquire() as conn, conn.transaction():
            uow = UnitOfWork(conn, self.service)
            yield uow
            await uow.write_events()

    async def ready(self) -> bool:
        """Readiness: the database answers."""
        return bool(await self.pool.fetchval("SELECT true"))
