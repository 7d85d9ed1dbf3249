"""The ticket replica fed by ticket.created and ticket.updated: exactly the next version applies."""

from __future__ import annotations

import uuid
from decimal import Decimal

import asyncpg
from nats.js.api import ConsumerInfo

from ticketing_common.bus import Bus
from ticketing_harness.testing.bus import consumer_info, publish, settled
from ticketing_harness.waiting import eventually

from ..support import (
    ack_floor,
    list_ticket,
    replica_version,
    ticket_created,
    ticket_updated,
)

CREATED = "orders-ticket-created"
UPDATED = "orders-ticket-updated"


async def replica(db: asyncpg.Connection, ticket_id: uuid.UUID) -> dict[str, object]:
    row = await db.fetchrow(
        "SELECT title, price, version, order_id FROM tickets WHERE id = $1", ticket_id
    )
    assert row is not None
    return dict(row)


async def test_ticket_created_is_replicated(bus: Bus, db: asyncpg.Connection) -> None:
    ticket = await list_ticket(bus, db, title="Concert", price="12.50")
    assert await replica(db, ticket.id) == {
        "title": "Concert",
        "price": Decimal("12.50"),
        "version": 0,
        "order_id": None,
    }


async def test_ticket_created_is_acknowledged(bus: Bus, db: asyncpg.Connection) -> None:
    seq = await publish(bus, ticket_created())
    await settled(bus, CREATED, seq)
    info: ConsumerInfo = await consumer_info(bus, CREATED)
    assert (info.num_ack_pending, info.num_pending) == (0, 0)


async def test_ticket_updated_applies_the_next_version_and_is_acknowledged(
    bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db)
    order_id = uuid.uuid4()
    update = ticket_updated(ticket, 1, title="New title", price="99.99")
    seq = await publish(bus, update.model_copy(update={"order_id": order_id}))
    await settled(bus, UPDATED, seq)
    assert await replica(db, ticket.id) == {
        "title": "New title",
        "price": Decimal("99.99"),
        "version": 1,
        "order_id": order_id,
    }


async def test_a_reservation_only_update_still_advances_the_version(
    bus: Bus, db: asyncpg.Connection
) -> None:
    ticket = await list_ticket(bus, db)
    reserved = ticket_updated(ticket, 1).model_copy(update={"order_id": uuid.uuid4()})
    await publish(bus, reserved)
    last = await publish(bus, ticket_updated(ticket, 2))
    await settled(bus, UPDATED, last)
    row = await replica(db, ticket.id)
    assert (row["title"], row["version"], row["order_id"]) == (ticket.title, 2, None)
    assert await bus.dead_letters(UPDATED) == []


async def test_a_version_gap_waits_for_the_missing_event(bus: Bus, db: asyncpg.Connection) -> None:
    ticket = await list_ticket(bus, db)
    skipped = await publish(bus, ticket_updated(ticket, 2, title="Second edit"))

    async def deferred() -> bool:
        return bool((await consumer_info(bus, UPDATED)).num_redelivered)

    await eventually(deferred, message="the early update was never deferred")
    assert await ack_floor(bus, UPDATED) < skipped
    assert await replica_version(db, ticket.id) == 0

    last = await publish(bus, ticket_updated(ticket, 1, title="First edit"))
    await settled(bus, UPDATED, max(skipped, last))
    row = await replica(db, ticket.id)
    assert (row["title"], row["version"]) == ("Second edit", 2)
    assert await bus.dead_letters(UPDATED) == []


async def test_duplicate_and_older_updates_change_nothing(bus: Bus, db: asyncpg.Connection) -> None:
    ticket = await list_ticket(bus, db)
    await publish(bus, ticket_updated(ticket, 1, title="Applied"))
    await publish(bus, ticket_updated(ticket, 2, title="Applied again"))
    duplicate = await publish(bus, ticket_updated(ticket, 2, title="Duplicate"))
    older = await publish(bus, ticket_updated(ticket, 1, title="Older"))
    await settled(bus, UPDATED, max(duplicate, older))
    row = await replica(db, ticket.id)
    assert (row["title"], row["version"]) == ("Applied again", 2)


async def test_a_repeated_ticket_created_changes_nothing(bus: Bus, db: asyncpg.Connection) -> None:
    ticket = await list_ticket(bus, db, title="Original")
    seq = await publish(bus, ticket.model_copy(update={"title": "Repeated"}))
    await settled(bus, CREATED, seq)
    row = await replica(db, ticket.id)
    assert (row["title"], row["version"]) == ("Original", 0)


async def test_an_update_before_the_creation_waits_for_it(bus: Bus, db: asyncpg.Connection) -> None:
    ticket = ticket_created()
    early = await publish(bus, ticket_updated(ticket, 1, title="Edited"))
    await publish(bus, ticket)
    await settled(bus, UPDATED, early)
    row = await replica(db, ticket.id)
    assert (row["title"], row["version"]) == ("Edited", 1)
