"""The order replica fed by order.* events on a real bus: versions, duplicates, gaps."""

from __future__ import annotations

from decimal import Decimal

import asyncpg

from ticketing_common.bus import Bus
from ticketing_common.events import OrderStatus
from ticketing_harness.testing.bus import publish, redelivered, settled

from ..support import (
    order_cancelled,
    order_completed,
    order_created,
    replica,
    replica_reaches,
    replicated_order,
)


async def test_order_created_is_replicated_with_its_version_price_buyer_and_status(
    bus: Bus, db: asyncpg.Connection
) -> None:
    order = await replicated_order(bus, db, price="19.99")
    assert await replica(db, order.id) == {
        "version": 0,
        "user_id": order.user_id,
        "price": Decimal("19.99"),
        "status": "created",
    }


async def test_duplicate_order_created_changes_nothing(bus: Bus, db: asyncpg.Connection) -> None:
    order = await replicated_order(bus, db, price="20.00")
    altered = order.model_copy(
        update={"ticket": order.ticket.model_copy(update={"price": Decimal("1.00")})}
    )
    seq = await publish(bus, altered)
    await settled(bus, "payments-order-created", seq)
    row = await replica(db, order.id)
    assert row is not None
    assert (row["version"], row["price"]) == (0, Decimal("20.00"))


async def test_order_cancelled_updates_the_replica(bus: Bus, db: asyncpg.Connection) -> None:
    order = await replicated_order(bus, db)
    await publish(bus, order_cancelled(order, version=1))
    await replica_reaches(db, order.id, 1, OrderStatus.CANCELLED)


async def test_order_completed_updates_the_replica(bus: Bus, db: asyncpg.Connection) -> None:
    order = await replicated_order(bus, db)
    await publish(bus, order_completed(order, version=1))
    await replica_reaches(db, order.id, 1, OrderStatus.COMPLETE)


async def test_equal_or_older_version_is_acked_as_a_duplicate(
    bus: Bus, db: asyncpg.Connection
) -> None:
    order = await replicated_order(bus, db)
    await publish(bus, order_completed(order, version=1))
    await replica_reaches(db, order.id, 1, OrderStatus.COMPLETE)
    seq = await publish(bus, order_cancelled(order, version=1))
    await settled(bus, "payments-order-cancelled", seq)
    assert await replica(db, order.id) == {
        "version": 1,
        "user_id": order.user_id,
        "price": order.ticket.price,
        "status": "complete",
    }


async def test_event_before_its_order_waits_for_order_created(
    bus: Bus, db: asyncpg.Connection
) -> None:
    order = order_created()
    await publish(bus, order_cancelled(order, version=1))
    await redelivered(bus, "payments-order-cancelled")
    assert await replica(db, order.id) is None
    await publish(bus, order)
    await replica_reaches(db, order.id, 1, OrderStatus.CANCELLED)


async def test_skipped_version_waits_for_the_missing_event(
    bus: Bus, db: asyncpg.Connection
) -> None:
    order = await replicated_order(bus, db)
    await publish(bus, order_cancelled(order, version=2))
    await redelivered(bus, "payments-order-cancelled")
    row = await replica(db, order.id)
    assert row is not None
    assert (row["version"], row["status"]) == (0, "created")
    await publish(bus, order_completed(order, version=1))
    await replica_reaches(db, order.id, 2, OrderStatus.CANCELLED)
