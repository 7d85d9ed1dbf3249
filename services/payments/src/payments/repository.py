"""SQL of the payments service: the order replica and the payments (claims included)."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from payments.domain import OrderReplica, Payment, PaymentState
from ticketing_common.db import Connection, update_versioned
from ticketing_common.errors import Conflict
from ticketing_common.events import OrderStatus

RowLock = Literal["FOR SHARE", "FOR UPDATE"]

_PAYMENT_COLUMNS = (
    "id, order_id, state, amount_cents, token, idempotency_key, stripe_id, stripe_refund_id"
)


def _order(row: Any) -> OrderReplica:
    return OrderReplica(
        id=row["id"],
        version=row["version"],
        user_id=row["user_id"],
        price=row["price"],
        status=OrderStatus(row["status"]),
    )


def _payment(row: Any) -> Payment:
    return Payment(
        id=row["id"],
        order_id=row["order_id"],
        state=PaymentState(row["state"]),
        amount_cents=row["amount_cents"],
        token=row["token"],
        idempotency_key=row["idempotency_key"],
        stripe_id=row["stripe_id"],
        stripe_refund_id=row["stripe_refund_id"],
    )


async def insert_order(conn: Connection, order: OrderReplica) -> bool:
    """Add an order to the replica; False when it is already there (a duplicate event)."""
    inserted = await conn.fetchval(
        "INSERT INTO orders (id, version, user_id, price, status) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (id) DO NOTHING RETURNING true",
        order.id,
        order.version,
        order.user_id,
        order.price,
        order.status.value,
    )
    return bool(inserted)


async def get_order(
    conn: Connection, order_id: UUID, *, lock: RowLock | None = None
) -> OrderReplica | None:
    """An order of the replica, optionally row-locked until the transaction ends."""
    row = await conn.fetchrow(
        f"SELECT id, version, user_id, price, status FROM orders WHERE id = $1 {lock or ''}",
        order_id,
    )
    return None if row is None else _order(row)


async def set_order_status(
    conn: Connection, order: OrderReplica, status: OrderStatus, version: int
) -> None:
    """Move the replica from the version read to `version`; Conflict if it moved meanwhile."""
    await update_versioned(
        conn, "orders", order.id, order.version, {"status": status.value}, version=version
    )


async def insert_claim(conn: Connection, claim: Payment, lease_seconds: float) -> bool:
    """Take the order's only payment slot; False when the order already has a payment."""
    inserted = await conn.fetchval(
        "INSERT INTO payments (id, order_id, state, amount_cents, token, idempotency_key,"
        " lease_until) VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))"
        " ON CONFLICT (order_id) DO NOTHING RETURNING true",
        claim.id,
        claim.order_id,
        claim.state.value,
        claim.amount_cents,
        claim.token,
        claim.idempotency_key,
        lease_seconds,
    )
    return bool(inserted)


async def take_over_stale_claim(
    conn: Connection, order_id: UUID, state: PaymentState, lease_seconds: float
) -> Payment | None:
    """The order's claim in `state` whose lease ran out, now leased to the caller; else None."""
    row = await conn.fetchrow(
        "UPDATE payments SET lease_until = now() + make_interval(secs => $3)"
        " WHERE order_id = $1 AND state = $2 AND lease_until <= now()"
        f" RETURNING {_PAYMENT_COLUMNS}",
        order_id,
        state.value,
        lease_seconds,
    )
    return None if row is None else _payment(row)


async def lease(conn: Connection, payment_id: UUID, lease_seconds: float) -> None:
    """Give the caller the payment's Stripe call for `lease_seconds`."""
    await conn.execute(
        "UPDATE payments SET lease_until = now() + make_interval(secs => $2) WHERE id = $1",
        payment_id,
        lease_seconds,
    )


async def release_claim(conn: Connection, payment_id: UUID) -> None:
    """Forget a claim whose charge certainly did not happen."""
    await conn.execute("DELETE FROM payments WHERE id = $1 AND state = 'pending'", payment_id)


async def end_lease(conn: Connection, payment_id: UUID) -> None:
    """Let anyone replay this claim's Stripe call now: its outcome is unknown, nobody is on it."""
    await conn.execute(
        "UPDATE payments SET lease_until = now()"
        " WHERE id = $1 AND state IN ('pending', 'refunding')",
        payment_id,
    )


async def save(conn: Connection, payment: Payment, read_state: PaymentState) -> None:
    """Write a payment's new state; Conflict if it moved on from `read_state` meanwhile."""
    updated = await conn.fetchval(
        "UPDATE payments SET state = $3, stripe_id = $4, stripe_refund_id = $5"
        " WHERE id = $1 AND state = $2 RETURNING true",
        payment.id,
        read_state.value,
        payment.state.value,
        payment.stripe_id,
        payment.stripe_refund_id,
    )
    if not updated:
        raise Conflict()


async def get_payment(conn: Connection, payment_id: UUID) -> Payment | None:
    """A payment, locked until the transaction ends."""
    row = await conn.fetchrow(
        f"SELECT {_PAYMENT_COLUMNS} FROM payments WHERE id = $1 FOR UPDATE", payment_id
    )
    return None if row is None else _payment(row)


async def payment_for_order(
    conn: Connection, order_id: UUID, *, for_update: bool = False
) -> Payment | None:
    """The order's payment in any state, optionally locked until the transaction ends."""
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(
        f"SELECT {_PAYMENT_COLUMNS} FROM payments WHERE order_id = $1{lock}", order_id
    )
    return None if row is None else _payment(row)
