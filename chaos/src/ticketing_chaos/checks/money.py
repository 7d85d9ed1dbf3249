"""I5 every charge belongs to a complete order or was refunded; the money adds up to the cent."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from ticketing_chaos.checks.base import CheckResult, Evidence, Violation, by_id, ids
from ticketing_chaos.live.snapshot import Charge


def money(evidence: Evidence) -> CheckResult:
    """Checked against localstripe's own records, in cents."""
    orders = by_id(evidence.rows("orders", "orders"))
    prices = {
        key: _cents(row["price"]) for key, row in by_id(evidence.rows("payments", "orders")).items()
    }
    refunded: dict[str, int] = defaultdict(int)
    for refund in evidence.snapshot.refunds:
        if refund.status == "succeeded" and refund.payment_intent is not None:
            refunded[refund.payment_intent] += refund.amount
    charges = evidence.snapshot.charges
    violations = [
        v for charge in charges if (v := _charge(charge, orders, prices, refunded[charge.id]))
    ]
    known = {charge.id for charge in charges}
    violations += [
        Violation(f"refund of {cents} cents for {intent}, which is no charge", ids(intent))
        for intent, cents in refunded.items()
        if intent not in known
    ]
    kept: dict[str, list[Charge]] = defaultdict(list)
    for charge in charges:
        if refunded[charge.id] == 0 and charge.order_id is not None:
            kept[charge.order_id].append(charge)
    for key, order in orders.items():
        if order["status"] == "complete" and len(kept[key]) != 1:
            violations.append(
                Violation(f"complete order {key} has {len(kept[key])} charges kept", ids(key))
            )
    violations += _payments_agree(evidence, known, refunded)
    violations += _refunds_shown(evidence)
    received = sum(c.amount for c in charges) - sum(refunded.values())
    owed = sum(prices.get(key, 0) for key, order in orders.items() if order["status"] == "complete")
    if received != owed:
        violations.append(
            Violation(
                f"charges minus refunds are {received} cents; complete orders cost {owed} cents"
            )
        )
    checked = (
        f"{len(charges)} charges, {len(evidence.snapshot.refunds)} refunds, {received} cents kept"
    )
    return CheckResult(
        "I5", "money: charges of complete orders only, to the cent", checked, violations
    )


def _charge(
    charge: Charge, orders: dict[str, dict[str, object]], prices: dict[str, int], refunded: int
) -> Violation | None:
    order = orders.get(charge.order_id or "")
    if order is None:
        return Violation(
            f"charge {charge.id} names no known order", ids(charge.id, charge.order_id)
        )
    status = order["status"]
    if refunded not in (0, charge.amount):
        return Violation(
            f"charge {charge.id} of {charge.amount} cents refunded {refunded} cents",
            ids(charge.id, charge.order_id),
        )
    if refunded == 0 and status != "complete":
        return Violation(
            f"charge {charge.id} kept for {status} order {charge.order_id}",
            ids(charge.id, charge.order_id),
        )
    price = prices.get(str(charge.order_id))
    if refunded == 0 and price != charge.amount:
        return Violation(
            f"charge {charge.id} is {charge.amount} cents; order {charge.order_id} costs {price}",
            ids(charge.id, charge.order_id),
        )
    return None


def _cents(price: object) -> int:
    cents = Decimal(str(price)) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"price {price} is not a whole number of cents")
    return int(cents)


def _payments_agree(
    evidence: Evidence, charges: set[str], refunded: dict[str, int]
) -> list[Violation]:
    """The payments service's own rows say what Stripe says, and no claim is left in flight."""
    violations = []
    for payment in evidence.rows("payments", "payments"):
        state, stripe_id, order = payment["state"], payment["stripe_id"], str(payment["order_id"])
        if state in ("pending", "refunding"):
            violations.append(Violation(f"payment of order {order} left {state}", ids(order)))
        elif stripe_id not in charges:
            violations.append(
                Violation(f"payment of order {order} names no charge", ids(order, stripe_id))
            )
        elif (state == "refunded") != bool(refunded[stripe_id]):
            violations.append(
                Violation(
                    f"payment of order {order} is {state}, Stripe disagrees", ids(order, stripe_id)
                )
            )
    return violations


def _refunds_shown(evidence: Evidence) -> list[Violation]:
    """An order says `refunded` exactly when the payments service refunded its payment."""
    refunded = {
        str(p["order_id"])
        for p in evidence.rows("payments", "payments")
        if p["state"] == "refunded"
    }
    return [
        Violation(
            f"order {order['id']} shows refunded {shown}; payments says {not shown}",
            ids(order["id"]),
        )
        for order in evidence.rows("orders", "orders")
        if (shown := order["refunded_at"] is not None) != (str(order["id"]) in refunded)
    ]
