"""expiration.complete, payment.created and payment.refunded: expiry cancels unpaid orders,
payment completes them, a refund shows on the order."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from orders.config import Settings
from ticketing_common.bus import Bus
from ticketing_common.events import (
    ExpirationComplete,
    OrderCancelled,
    OrderCompleted,
    PaymentCreated,
    PaymentRefunded,
)
from ticketing_harness.testing.bus import consumer_info, publish, published, settled
from ticketing_harness.waiting import eventually

from ..support import (
    list_ticket,
    order_status,
    outbox_count,
    paid,
    place_order,
    signed_in,
)

EXPIRATION = "orders-expiration-complete"
PAYMENT = "orders-payment-created"
REFUND = "orders-payment-refunded"


@pytest.fixture
def buyer(settings: Settings) -> dict[str, str]:
    return signed_in(settings)


@pytest.fixture
async def order(
    client: httpx.AsyncClient, buyer: dict[str, str], bus: Bus, db: asyncpg.Connection
) -> dict[str, Any]:
    """An unpaid order, as its buyer saw it when placing it."""
    ticket = await list_ticket(bus, db)
    return await place_order(client, buyer, ticket.id)


async def expire(bus: Bus, order_id: uuid.UUID | str) -> None:
    """The expiration service says the window passed; wait until orders has handled it."""
    seq = await publish(bus, ExpirationComplete(order_id=uuid.UUID(str(order_id))))
    await settled(bus, EXPIRATION, seq)


async def pay(bus: Bus, order_id: uuid.UUID | str) -> None:
    """The payments service reports a charge; wait until orders has handled it."""
    payment = PaymentCreated(id=uuid.uuid4(), order_id=uuid.UUID(str(order_id)), stripe_id="pi_1")
    seq = await publish(bus, payment)
    await settled(bus, PAYMENT, seq)


async def version(db: asyncpg.Connection, order_id: str) -> int:
    return int(await db.fetchval("SELECT version FROM orders WHERE id = $1", uuid.UUID(order_id)))


async def test_expiration_cancels_an_unpaid_order(
    order: dict[str, Any], bus: Bus, db: asyncpg.Connection
) -> None:
    await expire(bus, order["id"])
    assert await order_status(db, uuid.UUID(order["id"])) == "cancelled"
    assert await version(db, order["id"]) == 1


async def test_expiration_emits_order_cancelled(
    order: dict[str, Any], bus: Bus, db: asyncpg.Connection
) -> None:
    await expire(bus, order["id"])
    [envelope] = await eventually(lambda: published(bus, "order.cancelled"))
    assert envelope.payload() == OrderCancelled.from_wire(
        {"id": order["id"], "version": 1, "ticket": {"id": order["ticket"]["id"]}}
    )


async def test_expiration_is_acknowledged(order: dict[str, Any], bus: Bus) -> None:
    await expire(bus, order["id"])
    info = await consumer_info(bus, EXPIRATION)
    assert (info.num_ack_pending, info.num_pending, info.num_redelivered) == (0, 0, 0)


async def test_expiration_twice_cancels_once(
    order: dict[str, Any], bus: Bus, db: asyncpg.Connection
) -> None:
    await expire(bus, order["id"])
    await expire(bus, order["id"])
    assert await version(db, order["id"]) == 1
    assert await outbox_count(db, "order.cancelled") == 1


async def test_expiration_of_a_complete_order_changes_nothing(
    order: dict[str, Any], bus: Bus, db: asyncpg.Connection
) -> None:
    await paid(bus, db, uuid.UUID(order["id"]))
    await expire(bus, order["id"])
    assert await order_status(db, uuid.UUID(order["id"])) == "complete"
    assert await version(db, order["id"]) == 1
    assert await outbox_count(db, "order.cancelled") == 0


async def test_expiration_of_a_cancelled_order_emits_nothing_new(
    order: dict[str, Any],
    buyer: dict[str, str],
    client: httpx.AsyncClient,
    bus: Bus,
    db: asyncpg.Connection,
) -> None:
    response = await client.delete(f"/api/orders/{order['id']}", headers=buyer)
    assert response.status_code == 204
    await expire(bus, order["id"])
    assert await version(db, order["id"]) == 1
    assert await outbox_count(db, "order.cancelled") == 1


async def test_expiration_of_an_unknown_order_is_dead_lettered(
    bus: Bus, db: asyncpg.Connection
) -> None:
    unknown = uuid.uuid4()
    await publish(bus, ExpirationComplete(order_id=unknown))
    [letter] = await eventually(lambda: bus.dead_letters(EXPIRATION))
    assert str(unknown) in letter.reason


async def test_payment_completes_an_unpaid_order_and_emits_order_completed(
    order: dict[str, Any], bus: Bus, db: asyncpg.Connection
) -> None:
    await pay(bus, order["id"])
    assert await order_status(db, uuid.UUID(order["id"])) == "complete"
    [envelope] = await eventually(lambda: published(bus, "order.completed"))
    assert envelope.payload() == OrderCompleted.from_wire(
        {"id": order["id"], "version": 1, "ticket": {"id": order["ticket"]["id"]}}
    )


async def test_payment_for_an_expired_order_leaves_it_cancelled(
    order: dict[str, Any], bus: Bus, db: asyncpg.Connection
) -> None:
    await expire(bus, order["id"])
    await pay(bus, order["id"])
    assert await order_status(db, uuid.UUID(order["id"])) == "cancelled"
    assert await version(db, order["id"]) == 1
    assert await outbox_count(db, "order.completed") == 0


async def test_a_second_payment_completes_nothing_again(
    order: dict[str, Any], bus: Bus, db: asyncpg.Connection
) -> None:
    await pay(bus, order["id"])
    await pay(bus, order["id"])
    assert await version(db, order["id"]) == 1
    assert await outbox_count(db, "order.completed") == 1


async def refund(bus: Bus, order_id: uuid.UUID | str) -> None:
    """The payments service reports a refund; wait until orders has handled it."""
    refunded = PaymentRefunded(
        id=uuid.uuid4(),
        order_id=uuid.UUID(str(order_id)),
        stripe_id="pi_1",
        stripe_refund_id="re_1",
    )
    seq = await publish(bus, refunded)
    await settled(bus, REFUND, seq)


async def test_a_refund_shows_on_the_buyers_cancelled_order(
    client: httpx.AsyncClient,
    buyer: dict[str, str],
    order: dict[str, Any],
    bus: Bus,
    db: asyncpg.Connection,
) -> None:
    await expire(bus, order["id"])
    await pay(bus, order["id"])
    await refund(bus, order["id"])
    await refund(bus, order["id"])
    shown = (await client.get(f"/api/orders/{order['id']}", headers=buyer)).json()
    [listed] = (await client.get("/api/orders", headers=buyer)).json()
    assert (shown["status"], shown["refunded"]) == ("cancelled", True)
    assert listed == shown
    assert shown["version"] == 1  # the refund is not part of the replicated order


async def test_an_order_is_not_refunded_until_payments_says_so(
    client: httpx.AsyncClient, buyer: dict[str, str], order: dict[str, Any], bus: Bus
) -> None:
    await expire(bus, order["id"])
    shown = (await client.get(f"/api/orders/{order['id']}", headers=buyer)).json()
    assert (shown["status"], shown["refunded"]) == ("cancelled", False)


async def test_a_refund_for_an_unknown_order_is_dead_lettered(
    bus: Bus, client: httpx.AsyncClient
) -> None:
    unknown = uuid.uuid4()
    refunded = PaymentRefunded(
        id=uuid.uuid4(), order_id=unknown, stripe_id="pi_1", stripe_refund_id="re_1"
    )
    await publish(bus, refunded)
    [letter] = await eventually(lambda: bus.dead_letters(REFUND))
    assert str(unknown) in letter.reason
