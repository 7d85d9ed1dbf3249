"""I5 every charge belongs to a complete order or was refunded; the money adds up to the cent."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from ticketing_harness.evidence.invariants.replicas import by_id
from ticketing_harness.evidence.results import CheckResult, Violation, ids, not_run
from ticketing_harness.evidence.snapshot import Evidence, Row
from ticketing_harness.evidence.stripe import PaymentIntent

I5 = ("I5", "money: charges of complete orders only, to the cent")


def money(evidence: Evidence) -> CheckResult:
    """Checked against Stripe's own records (localstripe's, in a local stack), in cents."""
    if missing := evidence.missing("orders", "payments", stripe=True):
        return not_run(*I5, missing)
    assert evidence.snapshot.stripe is not None
    stripe = evidence.snapshot.stripe
    orders = by_id(evidence.rows("orders", "orders"))
    prices = {
        key: _cents(row["price"]) for key, row in by_id(evidence.rows("payments", "orders")).items()
    }
    refunded: dict[str, int] = defaultdict(int, stripe.refunded())
    charges = stripe.charges
    violations = [
        v for charge in charges if (v := _charge(charge, orders, prices, refunded[charge.id]))
    ]
    known = {charge.id: charge for charge in charges}
    violations += [
        Violation(f"refund of {amount} cents for {intent}, which is no charge", ids(intent))
        for intent, amount in refunded.items()
        if intent not in known
    ]
    kept: dict[str, list[PaymentIntent]] = defaultdict(list)
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
    checked = f"{len(charges)} charges, {len(stripe.refunds)} refunds, {received} cents kept"
    return CheckResult(*I5, checked, violations)


def _charge(
    charge: PaymentIntent, orders: dict[str, Row], prices: dict[str, int], refunded: int
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
    """A price in whole cents; a price with a fraction of a cent is an error."""
    amount = Decimal(str(price)) * 100
    if amount != amount.to_integral_value():
        raise ValueError(f"price {price} is not a whole number of cents")
    return int(amount)


def _payments_agree(
    evidence: Evidence, charges: dict[str, PaymentIntent], refunded: dict[str, int]
) -> list[Violation]:
    """The payments service's own rows say what Stripe says, and no claim is left in flight."""
    violations = []
    for payment in evidence.rows("payments", "payments"):
        state, stripe_id, order = payment["state"], payment["stripe_id"], str(payment["order_id"])
        charge = charges.get(stripe_id)
        if state in ("pending", "refunding"):
            violations.append(Violation(f"payment of order {order} left {state}", ids(order)))
        elif charge is None:
            violations.append(
                Violation(f"payment of order {order} names no charge", ids(order, stripe_id))
            )
        elif (state == "refunded") != bool(refunded[stripe_id]):
            violations.append(
                Violation(
                    f"payment of order {order} is {state}, Stripe disagrees", ids(order, stripe_id)
                )
            )
        elif payment["amount_cents"] != charge.amount:
            violations.append(
                Violation(
                    f"payment of order {order} is {payment['amount_cents']} cents,"
                    f" its charge {charge.amount}",
                    ids(order, stripe_id),
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
