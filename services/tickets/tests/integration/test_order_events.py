"""order.created reserves a ticket, order.cancelled frees it: idempotent, order-proof, bounded."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

import asyncpg
import httpx
import pytest

from ticketing_common.bus import Bus
from ticketing_common.envelope import Envelope
from ticketing_common.events import TicketUpdated
from ticketing_harness.testing.bus import caught_up, publish, settled, wait_published
from ticketing_harness.waiting import eventually

from .events import enqueued, order_cancelled, order_created
from .tickets import create_ticket, show_ticket

CREATED = "tickets-order-created"
CANCELLED = "tickets-order-cancelled"


async def _holder(client: httpx.AsyncClient, ticket: dict[str, Any]) -> tuple[str | None, int]:
    shown = await show_ticket(client, ticket["id"])
    return shown["orderId"], shown["version"]


async def _reaches(
    client: httpx.AsyncClient, ticket: dict[str, Any], order_id: object, version: int
) -> None:
    expected = (None if order_id is None else str(order_id), version)

    async def reached() -> bool:
        return await _holder(client, ticket) == expected

    await eventually(reached, message=f"ticket reached {expected}")


async def _all_acked(bus: Bus, durable: str) -> None:
    """Every message the consumer got was acked: none waits, none was dead-lettered."""
    await eventually(partial(caught_up, bus, durable), message=f"{durable} acked everything")
    assert await bus.dead_letters(durable) == []


async def test_order_created_sets_the_order_id_of_the_ticket(
    seller: httpx.AsyncClient, bus: Bus
) -> None:
    ticket = await create_ticket(seller)
    order = order_created(ticket)
    await publish(bus, order)
    await _reaches(seller, ticket, order.id, 1)


async def test_order_created_is_acked(seller: httpx.AsyncClient, bus: Bus) -> None:
    ticket = await create_ticket(seller)
    await settled(bus, CREATED, await publish(bus, order_created(ticket)))
    await _all_acked(bus, CREATED)


async def test_order_created_publishes_a_ticket_updated_event(
    seller: httpx.AsyncClient, bus: Bus
) -> None:
    ticket = await create_ticket(seller)
    order = order_created(ticket)
    await publish(bus, order)
    (event,) = await wait_published(bus, "ticket.updated", 1)
    data = event.payload()
    assert isinstance(data, TicketUpdated)
    assert (str(data.id), data.order_id, data.version) == (ticket["id"], order.id, 1)


async def test_order_cancelled_releases_the_ticket_publishes_an_event_and_is_acked(
    seller: httpx.AsyncClient, bus: Bus
) -> None:
    ticket = await create_ticket(seller)
    order = order_created(ticket)
    await publish(bus, order)
    await _reaches(seller, ticket, order.id, 1)
    await publish(bus, order_cancelled(order))
    await _reaches(seller, ticket, None, 2)
    events = await wait_published(bus, "ticket.updated", 2)
    assert [(e.data["version"], e.data["orderId"]) for e in events] == [
        (1, str(order.id)),
        (2, None),
    ]
    await _all_acked(bus, CANCELLED)


async def test_stale_cancel_of_an_older_order_leaves_the_newer_reservation(
    seller: httpx.AsyncClient, bus: Bus
) -> None:
    ticket = await create_ticket(seller)
    older, newer = order_created(ticket), order_created(ticket)
    await publish(bus, older)
    await _reaches(seller, ticket, older.id, 1)
    await publish(bus, order_cancelled(older))
    await _reaches(seller, ticket, None, 2)
    await publish(bus, newer)
    await _reaches(seller, ticket, newer.id, 3)
    # The older order's cancel arrives again, e.g. published by both an expiry and its buyer.
    await settled(bus, CANCELLED, await publish(bus, order_cancelled(older, version=2)))
    assert await _holder(seller, ticket) == (str(newer.id), 3)


async def test_redelivered_order_created_changes_nothing(
    seller: httpx.AsyncClient, bus: Bus, pool: asyncpg.Pool
) -> None:
    ticket = await create_ticket(seller)
    order = order_created(ticket)
    envelope = Envelope.wrap(order)
    await bus.publish(envelope)
    # The same event again under another message id, as after the broker's duplicate window.
    subject = bus.catalog.subject_for("order.created")
    again = await bus.publish_raw(subject, envelope.to_bytes(), f"{envelope.id}-again")
    await settled(bus, CREATED, again.seq)
    assert await _holder(seller, ticket) == (str(order.id), 1)
    assert await enqueued(pool, "ticket.updated") == 1


async def test_order_created_twice_for_one_order_reserves_once(
    seller: httpx.AsyncClient, bus: Bus, pool: asyncpg.Pool
) -> None:
    ticket = await create_ticket(seller)
    order = order_created(ticket)
    await publish(bus, order)
    await settled(bus, CREATED, await publish(bus, order))
    assert await _holder(seller, ticket) == (str(order.id), 1)
    assert await enqueued(pool, "ticket.updated") == 1


async def test_order_cancelled_twice_releases_once(
    seller: httpx.AsyncClient, bus: Bus, pool: asyncpg.Pool
) -> None:
    ticket = await create_ticket(seller)
    order = order_created(ticket)
    await publish(bus, order)
    await _reaches(seller, ticket, order.id, 1)
    await publish(bus, order_cancelled(order))
    await settled(bus, CANCELLED, await publish(bus, order_cancelled(order)))
    assert await _holder(seller, ticket) == (None, 2)
    assert await enqueued(pool, "ticket.updated") == 2


async def test_cancel_arriving_before_its_order_leaves_the_ticket_free(
    seller: httpx.AsyncClient, bus: Bus, pool: asyncpg.Pool
) -> None:
    ticket = await create_ticket(seller)
    order = order_created(ticket)
    await settled(bus, CANCELLED, await publish(bus, order_cancelled(order)))
    await settled(bus, CREATED, await publish(bus, order))
    assert await _holder(seller, ticket) == (None, 0)
    assert await enqueued(pool, "ticket.updated") == 0


async def test_next_order_arriving_before_the_previous_cancel_waits_for_it(
    seller: httpx.AsyncClient, bus: Bus
) -> None:
    ticket = await create_ticket(seller)
    first, second = order_created(ticket), order_created(ticket)
    await publish(bus, first)
    await _reaches(seller, ticket, first.id, 1)
    await publish(bus, second)
    await publish(bus, order_cancelled(first))
    await _reaches(seller, ticket, second.id, 3)
    await _all_acked(bus, CREATED)


@pytest.mark.parametrize("settings_overrides", [{"event_max_deliveries": 3}])
async def test_order_for_a_missing_ticket_is_retried_then_dead_lettered(
    client: httpx.AsyncClient, bus: Bus
) -> None:
    missing = {"id": str(uuid.uuid4()), "price": 10}
    order = order_created(missing)
    await publish(bus, order)
    await publish(bus, order_cancelled(order))
    for durable in (CREATED, CANCELLED):
        (letter,) = await eventually(
            partial(bus.dead_letters, durable), message=f"{durable} dead-lettered"
        )
        assert letter.deliveries == 3
        assert f"ticket {missing['id']} not found" in letter.reason


async def test_every_event_of_a_ticket_life_matches_its_contract_in_version_order(
    seller: httpx.AsyncClient, bus: Bus
) -> None:
    ticket = await create_ticket(seller)
    await seller.put(f"/api/tickets/{ticket['id']}", json={"title": "edited", "price": 30.5})
    order = order_created(ticket)
    await publish(bus, order)
    await _reaches(seller, ticket, order.id, 2)
    await publish(bus, order_cancelled(order))
    await _reaches(seller, ticket, None, 3)
    # Each message read is checked against its contract.
    created = await wait_published(bus, "ticket.created", 1)
    updated = await wait_published(bus, "ticket.updated", 3)
    assert [e.data["version"] for e in [*created, *updated]] == [0, 1, 2, 3]
    assert [e.data["orderId"] for e in updated] == [None, str(order.id), None]
    assert {e.producer for e in [*created, *updated]} == {"tickets"}
