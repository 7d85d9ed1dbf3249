"""The invariants of the deterministic mode: after every step, and once everything settled.

They are the live checks' invariants, asked of the example's own records through SQL (the
databases are shared by every example) and of the in-memory ledger that stands for Stripe.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from ticketing_chaos.checks.base import LIVE
from ticketing_chaos.checks.delivery import RECORDS_EFFECTS
from ticketing_chaos.deterministic.bus import SimulatedBus
from ticketing_chaos.deterministic.world import World


class Broken(AssertionError):
    """An invariant does not hold; the message names it and the records."""


# The replica each consumer writes: its database and table.
REPLICAS = {
    "orders-ticket-created": ("orders", "tickets"),
    "orders-ticket-updated": ("orders", "tickets"),
    "payments-order-created": ("payments", "orders"),
    "payments-order-completed": ("payments", "orders"),
    "payments-order-cancelled": ("payments", "orders"),
}


@dataclass
class Watch:
    """What the per-step invariants remember from one step (or delivery) to the next."""

    versions: dict[tuple[str, UUID], int] = field(default_factory=dict)
    holders: dict[UUID, UUID | None] = field(default_factory=dict)

    async def delivered(self, world: World, consumer: str, record: UUID) -> None:
        """I3: one delivery applies one event at most, so its replica moves on by one version
        at most, and never back."""
        if consumer not in REPLICAS:
            return
        database, table = REPLICAS[consumer]
        version = await world.databases[database].pool.fetchval(
            f"SELECT version FROM {table} WHERE id = $1", record
        )
        before = self.versions.get((table, record))
        if version is not None and before is not None and version not in (before, before + 1):
            raise Broken(
                f"I3: {database}' copy of {record} went from version {before} to {version}"
            )
        if version is not None:
            self.versions[table, record] = version

    async def step(self, world: World, ticket_ids: set[UUID]) -> None:
        """I1, and I2's "tickets follows orders"."""
        await _one_live_order(world, ticket_ids)
        statuses = await world.databases["orders"].pool.fetchval(
            "SELECT json_object_agg(id, status) FROM orders WHERE ticket_id = ANY($1)",
            list(ticket_ids),
        )
        holders = await world.databases["tickets"].pool.fetch(
            "SELECT id, order_id FROM tickets WHERE id = ANY($1)", list(ticket_ids)
        )
        self._holds_follow_orders(holders, _json(statuses))

    def _holds_follow_orders(self, holders: list[Any], statuses: dict[str, Any]) -> None:
        """I2: tickets frees a ticket only once orders cancelled the order that held it."""
        for row in holders:
            before, now = self.holders.get(row["id"]), row["order_id"]
            self.holders[row["id"]] = now
            if before is not None and now != before and statuses.get(str(before)) != "cancelled":
                raise Broken(
                    f"I2: tickets freed ticket {row['id']} from order {before}, "
                    f"which is {statuses.get(str(before))}"
                )


async def _one_live_order(world: World, ticket_ids: set[UUID]) -> None:
    """I1: never two live orders on one ticket."""
    doubled = await world.databases["orders"].pool.fetchval(
        "SELECT ticket_id FROM orders WHERE ticket_id = ANY($1) AND status = ANY($2)"
        " GROUP BY ticket_id HAVING count(*) > 1 LIMIT 1",
        list(ticket_ids),
        list(LIVE),
    )
    if doubled is not None:
        raise Broken(f"I1: ticket {doubled} has two live orders")


def _json(value: str | None) -> dict[str, Any]:
    return dict(json.loads(value)) if value else {}


async def at_rest(
    world: World,
    bus: SimulatedBus,
    ticket_ids: set[UUID],
    order_ids: set[UUID],
    expired: set[UUID],
) -> None:
    """Once every message is delivered: replicas equal sources, every expired order ended,
    the money adds up, and each consumer applied each event once."""
    await _one_live_order(world, ticket_ids)
    await _replicas_equal(world, ticket_ids, order_ids)
    await _orders_ended(world, expired)
    await _money(world, order_ids)
    await _refunds_shown(world, order_ids)
    _nothing_left(bus)
    await _applied_records(world, bus)


async def _replicas_equal(world: World, ticket_ids: set[UUID], order_ids: set[UUID]) -> None:
    pairs = (
        ("tickets", "orders", "tickets", "title, price, version, order_id", ticket_ids),
        ("orders", "payments", "orders", "status, version", order_ids),
    )
    for source, replica, table, columns, keys in pairs:
        query = f"SELECT id, {columns} FROM {table} WHERE id = ANY($1) ORDER BY id"
        ours = [tuple(r) for r in await world.databases[source].pool.fetch(query, list(keys))]
        theirs = [tuple(r) for r in await world.databases[replica].pool.fetch(query, list(keys))]
        if ours != theirs:
            differ = sorted(set(ours) ^ set(theirs), key=str)[:2]
            raise Broken(f"I2: {replica}'s copy of {table} differs from {source}'s: {differ}")
    held = await world.databases["tickets"].pool.fetch(
        "SELECT id, order_id FROM tickets WHERE id = ANY($1)", list(ticket_ids)
    )
    live = {
        r["ticket_id"]: r["id"]
        for r in await world.databases["orders"].pool.fetch(
            "SELECT id, ticket_id FROM orders WHERE ticket_id = ANY($1) AND status = ANY($2)",
            list(ticket_ids),
            list(LIVE),
        )
    }
    for row in held:
        if row["order_id"] != live.get(row["id"]):
            raise Broken(
                f"I2: tickets says {row['order_id']} holds ticket {row['id']}, "
                f"orders says {live.get(row['id'])}"
            )


async def _orders_ended(world: World, order_ids: set[UUID]) -> None:
    left = await world.databases["orders"].pool.fetch(
        "SELECT id, status FROM orders WHERE id = ANY($1)"
        " AND status NOT IN ('cancelled', 'complete')",
        list(order_ids),
    )
    if left:
        raise Broken(f"I4: order {left[0]['id']} is still {left[0]['status']} after its expiry")


async def _money(world: World, order_ids: set[UUID]) -> None:
    """I5: a charge is kept only for a complete order, at its price, once."""
    ledger = world.gateway.ledger
    prices = {
        str(r["id"]): int(Decimal(r["price"]) * 100)
        for r in await world.databases["payments"].pool.fetch(
            "SELECT id, price FROM orders WHERE id = ANY($1)", list(order_ids)
        )
    }
    statuses = {
        str(r["id"]): r["status"]
        for r in await world.databases["orders"].pool.fetch(
            "SELECT id, status FROM orders WHERE id = ANY($1)", list(order_ids)
        )
    }
    kept: Counter[str] = Counter()
    for intent, (cents, order) in ledger.charges.items():
        if intent in ledger.refunds:
            continue
        if statuses.get(order) != "complete" or cents != prices.get(order):
            raise Broken(
                f"I5: charge {intent} of {cents} cents kept for {statuses.get(order)} order {order}"
            )
        kept[order] += 1
    for order, status in statuses.items():
        if status == "complete" and kept[order] != 1:
            raise Broken(f"I5: complete order {order} has {kept[order]} charges kept")


async def _refunds_shown(world: World, order_ids: set[UUID]) -> None:
    """I5: an order says `refunded` exactly when the payments service refunded its payment."""
    shown = {
        r["id"]
        for r in await world.databases["orders"].pool.fetch(
            "SELECT id FROM orders WHERE id = ANY($1) AND refunded_at IS NOT NULL", list(order_ids)
        )
    }
    refunded = {
        r["order_id"]
        for r in await world.databases["payments"].pool.fetch(
            "SELECT order_id FROM payments WHERE order_id = ANY($1) AND state = 'refunded'",
            list(order_ids),
        )
    }
    if shown != refunded:
        order = sorted(shown ^ refunded, key=str)[0]
        raise Broken(f"I5: order {order} shows refunded {order in shown}; payments disagrees")


def _nothing_left(bus: SimulatedBus) -> None:
    """I6: nothing pending, nothing dead-lettered."""
    waiting = [(c.name, len(c.pending)) for c in bus.consumers if c.pending]
    if waiting:
        raise Broken(f"I6: still pending after everything was delivered: {waiting}")
    if bus.dead:
        raise Broken(f"I6: dead-lettered: {bus.dead[0]}")


async def _applied_records(world: World, bus: SimulatedBus) -> None:
    """I6: every event on the stream is recorded as applied by each consumer of it, once."""
    for service, consumers in RECORDS_EFFECTS.items():
        for consumer in consumers:
            subject = next(c.subject for c in bus.consumers if c.name == consumer)
            expected = {m.event_id for m in bus.stream if m.subject == subject}
            rows = await world.databases[service].pool.fetch(
                "SELECT event_id::text FROM processed_events WHERE consumer = $1"
                " AND event_id = ANY($2::uuid[])",
                consumer,
                list(expected),
            )
            missing = expected - {r["event_id"] for r in rows}
            if missing:
                raise Broken(f"I6: {consumer} has no record of applying {sorted(missing)[0]}")
