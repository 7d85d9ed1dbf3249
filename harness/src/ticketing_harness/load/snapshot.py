"""The run's rows in each service's database and its charges in Stripe, read at one moment."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from ticketing_harness.load.ledger import Charge, charges_for
from ticketing_harness.load.stores import database
from ticketing_harness.local.access import StackAccess

LIVE = ("created", "complete")  # order statuses that hold a ticket


@dataclass(frozen=True)
class TicketRow:
    """A ticket as the tickets service has it, or as the orders service's replica does."""

    id: str
    title: str
    price: Decimal
    version: int
    order_id: str | None


@dataclass(frozen=True)
class OrderRow:
    """An order as the orders service has it, or as the payments service's replica does."""

    id: str
    ticket_id: str | None  # the replica in payments does not know the ticket
    user_id: str
    status: str
    version: int


@dataclass(frozen=True)
class PaymentRow:
    """A payment of the payments service."""

    id: str
    order_id: str
    state: str
    amount_cents: int


@dataclass(frozen=True)
class Snapshot:
    """What each store holds for the run; None where the store could not be reached."""

    tickets: dict[str, TicketRow] | None
    ticket_replicas: dict[str, TicketRow] | None  # in the orders database
    orders: dict[str, OrderRow] | None  # every order on the run's tickets
    order_replicas: dict[str, OrderRow] | None  # in the payments database
    payments: dict[str, PaymentRow] | None  # by order id
    charges: list[Charge] | None

    @property
    def live_orders(self) -> dict[str, list[OrderRow]]:
        """Per ticket, the orders that hold it (created or complete)."""
        held: dict[str, list[OrderRow]] = {}
        for order in (self.orders or {}).values():
            if order.status in LIVE and order.ticket_id is not None:
                held.setdefault(order.ticket_id, []).append(order)
        return held


async def take(access: StackAccess, ticket_ids: Collection[str]) -> Snapshot:
    """Read the run's tickets, its orders, their replicas and payments, and their charges."""
    databases = access.databases
    tickets = await _tickets(databases.get("tickets"), ticket_ids)
    replicas = await _tickets(databases.get("orders"), ticket_ids)
    orders = await _orders(databases.get("orders"), ticket_ids)
    order_ids = list(orders) if orders is not None else []
    payments_dsn = databases.get("payments") if orders is not None else None
    order_replicas = await _order_replicas(payments_dsn, order_ids)
    payments = await _payments(payments_dsn, order_ids)
    charges = None
    if access.stripe is not None and orders is not None:
        charges = await charges_for(access.stripe, set(order_ids))
    return Snapshot(tickets, replicas, orders, order_replicas, payments, charges)


async def _fetch(dsn: str, query: str, ids: Collection[str]) -> list[Any]:
    async with database(_name(dsn), dsn) as conn:
        return list(await conn.fetch(query, list(ids)))


def _name(dsn: str) -> str:
    """The database a DSN names, to say which one could not be reached."""
    return urlsplit(dsn).path.lstrip("/") or "a"


async def _tickets(dsn: str | None, ids: Collection[str]) -> dict[str, TicketRow] | None:
    if dsn is None:
        return None
    query = "SELECT id, title, price, version, order_id FROM tickets WHERE id = ANY($1::uuid[])"
    return {
        str(row["id"]): TicketRow(
            str(row["id"]), row["title"], row["price"], row["version"], _text(row["order_id"])
        )
        for row in await _fetch(dsn, query, ids)
    }


async def _orders(dsn: str | None, ticket_ids: Collection[str]) -> dict[str, OrderRow] | None:
    if dsn is None:
        return None
    query = (
        "SELECT id, ticket_id, user_id, status, version FROM orders"
        " WHERE ticket_id = ANY($1::uuid[])"
    )
    return {
        str(row["id"]): OrderRow(
            str(row["id"]),
            str(row["ticket_id"]),
            str(row["user_id"]),
            row["status"],
            row["version"],
        )
        for row in await _fetch(dsn, query, ticket_ids)
    }


async def _order_replicas(dsn: str | None, ids: Collection[str]) -> dict[str, OrderRow] | None:
    if dsn is None:
        return None
    query = "SELECT id, user_id, status, version FROM orders WHERE id = ANY($1::uuid[])"
    return {
        str(row["id"]): OrderRow(
            str(row["id"]), None, str(row["user_id"]), row["status"], row["version"]
        )
        for row in await _fetch(dsn, query, ids)
    }


async def _payments(dsn: str | None, order_ids: Collection[str]) -> dict[str, PaymentRow] | None:
    if dsn is None:
        return None
    query = (
        "SELECT id, order_id, state, amount_cents FROM payments WHERE order_id = ANY($1::uuid[])"
    )
    return {
        str(row["order_id"]): PaymentRow(
            str(row["id"]), str(row["order_id"]), row["state"], row["amount_cents"]
        )
        for row in await _fetch(dsn, query, order_ids)
    }


def _text(value: object) -> str | None:
    return None if value is None else str(value)
