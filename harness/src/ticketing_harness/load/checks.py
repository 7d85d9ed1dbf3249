"""The verdict's checks: pure functions of the run record, the drain and the snapshot.

A check that lacks a store it needs does not run, and says which and how to give it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ticketing_harness.load.drain import Drain
from ticketing_harness.load.outcomes import Outcome
from ticketing_harness.load.record import RunRecord
from ticketing_harness.load.snapshot import Snapshot

MAX_PROBLEMS = 20  # listed per check; the count says how many there were


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_RUN = "not run"


@dataclass(frozen=True)
class Check:
    """One rule: whether it held, a line of figures, and what broke it, by name."""

    rule: str
    status: Status
    summary: str
    problems: list[str] = field(default_factory=list)


def judged(rule: str, summary: str, problems: list[str]) -> Check:
    status = Status.FAILED if problems else Status.PASSED
    if len(problems) > MAX_PROBLEMS:
        problems = [*problems[:MAX_PROBLEMS], f"... and {len(problems) - MAX_PROBLEMS} more"]
    return Check(rule, status, summary, problems)


def not_run(rule: str, needs: Iterable[str]) -> Check:
    missing = ", ".join(needs)
    return Check(
        rule, Status.NOT_RUN, f"needs access to {missing} (see --database, --stripe-api-base)"
    )


Checker = Callable[[RunRecord, Snapshot, Drain], Check]


def one_order_per_ticket(record: RunRecord, snapshot: Snapshot, drain: Drain) -> Check:
    rule = "each ticket has at most one live or complete order"
    if snapshot.orders is None:
        return not_run(rule, ["the orders database"])
    problems = [
        f"ticket {ticket}: {len(held)} live or complete orders ({', '.join(o.id for o in held)})"
        for ticket, held in snapshot.live_orders.items()
        if len(held) > 1
    ]
    summary = f"{len(record.ticket_ids)} tickets, {len(snapshot.orders)} orders placed on them"
    return judged(rule, summary, problems)


def winners_hold_tickets(record: RunRecord, snapshot: Snapshot, drain: Drain) -> Check:
    rule = "the number of winners equals the number of reserved or sold tickets"
    if snapshot.orders is None or snapshot.tickets is None:
        return not_run(rule, ["the orders database", "the tickets database"])
    orders, tickets = snapshot.orders, snapshot.tickets
    won = {order for order, _ in record.tally.won}
    problems = [f"order {o}: a buyer won it, orders has no such order" for o in won - set(orders)]
    problems += [
        f"order {o} on ticket {orders[o].ticket_id}: no buyer was told they won it"
        for o in set(orders) - won
    ]
    problems += [
        f"ticket {t}: tickets has no such ticket" for t in record.ticket_ids if t not in tickets
    ]
    live = snapshot.live_orders
    for ticket_id, ticket in tickets.items():
        holders = {order.id for order in live.get(ticket_id, [])}
        held_by = {ticket.order_id} if ticket.order_id else set()
        if holders != held_by:
            problems.append(
                f"ticket {ticket_id}: held by {_one(held_by)} in tickets,"
                f" by {_one(holders)} in orders"
            )
    statuses = [order.status for order in orders.values()]
    by_buyers = len(set(record.tally.cancelled) & set(orders))
    summary = (
        f"{len(won)} won: {statuses.count('complete')} sold, {statuses.count('created')} reserved,"
        f" {by_buyers} cancelled by their buyer, {statuses.count('cancelled') - by_buyers} expired;"
        f" {sum(1 for t in tickets.values() if t.order_id)} tickets reserved or sold"
    )
    return judged(rule, summary, problems)


def no_failed_requests(record: RunRecord, snapshot: Snapshot, drain: Drain) -> Check:
    rule = "no 5xx, no dropped connection, no timeout"
    return _requests_check(rule, record, (Outcome.SERVER_ERROR, Outcome.DROPPED, Outcome.TIMEOUT))


def expected_answers(record: RunRecord, snapshot: Snapshot, drain: Drain) -> Check:
    rule = "every other answer was one the rules allow"
    return _requests_check(rule, record, (Outcome.UNEXPECTED,))


def _requests_check(rule: str, record: RunRecord, outcomes: tuple[Outcome, ...]) -> Check:
    tally = record.tally
    requests = sum(sum(counts.values()) for counts in tally.outcomes.values())
    figures = ", ".join(f"{tally.total(outcome)} {outcome.value}" for outcome in outcomes)
    problems = [
        f"{n} x {answer}"
        for outcome in outcomes
        for answer, n in tally.failures.get(outcome.value, {}).items()
    ]
    return judged(rule, f"{requests} requests: {figures}", problems)


def paid_orders_complete(record: RunRecord, snapshot: Snapshot, drain: Drain) -> Check:
    rule = "every paid order is complete"
    if snapshot.payments is None or snapshot.orders is None:
        return not_run(rule, ["the orders database", "the payments database"])
    problems = []
    for order_id, payment in snapshot.payments.items():
        status = snapshot.orders[order_id].status if order_id in snapshot.orders else "missing"
        wanted = {"charged": "complete", "refunded": "cancelled"}.get(payment.state)
        if wanted is None:
            problems.append(f"order {order_id}: its payment {payment.id} is still {payment.state}")
        elif status != wanted:
            problems.append(f"order {order_id}: payment {payment.state}, order {status}")
    for order_id in record.tally.paid:
        if order_id not in snapshot.payments:
            problems.append(f"order {order_id}: its buyer paid, payments has no payment")
    states = [payment.state for payment in snapshot.payments.values()]
    summary = (
        f"{len(record.tally.paid)} paid by buyers: {states.count('charged')} charged,"
        f" {states.count('refunded')} refunded after the order ended"
    )
    return judged(rule, summary, problems)


def replicas_converged(record: RunRecord, snapshot: Snapshot, drain: Drain) -> Check:
    rule = "every replica has converged once the consumers drain"
    stores = (snapshot.tickets, snapshot.ticket_replicas, snapshot.orders, snapshot.order_replicas)
    if any(store is None for store in stores):
        return not_run(rule, ["the tickets, orders and payments databases"])
    assert snapshot.tickets is not None and snapshot.ticket_replicas is not None
    assert snapshot.orders is not None and snapshot.order_replicas is not None
    problems = [] if drain.drained or not drain.checked else [drain.describe()]
    problems += _differences(
        "ticket",
        "orders",
        snapshot.tickets,
        snapshot.ticket_replicas,
        ("title", "price", "version", "order_id"),
    )
    problems += _differences(
        "order",
        "payments",
        snapshot.orders,
        snapshot.order_replicas,
        ("user_id", "status", "version"),
    )
    summary = (
        f"{len(snapshot.tickets)} tickets in orders, {len(snapshot.orders)} orders in payments;"
        f" {drain.describe()}"
    )
    return judged(rule, summary, problems)


def _differences(
    kind: str,
    where: str,
    sources: Mapping[str, object],
    replicas: Mapping[str, object],
    fields: tuple[str, ...],
) -> list[str]:
    problems = []
    for key, source in sources.items():
        replica = replicas.get(key)
        if replica is None:
            problems.append(f"{kind} {key}: {where} has no replica")
            continue
        for name in fields:
            mine, theirs = getattr(source, name), getattr(replica, name)
            if mine != theirs:
                problems.append(
                    f"{kind} {key}: {name} is {theirs} in {where}, {mine} at its source"
                )
    return problems


def money_balances(record: RunRecord, snapshot: Snapshot, drain: Drain) -> Check:
    rule = "the money balances against Stripe"
    if (
        snapshot.charges is None
        or snapshot.payments is None
        or snapshot.orders is None
        or snapshot.tickets is None
    ):
        return not_run(rule, ["Stripe (localstripe)", "the tickets, orders and payments databases"])
    kept: dict[str, int] = {}
    for charge in snapshot.charges:
        kept[charge.order_id] = kept.get(charge.order_id, 0) + charge.kept_cents
    problems = []
    owed_total = charged_total = 0
    for order in snapshot.orders.values():
        ticket = snapshot.tickets.get(order.ticket_id or "")
        owed = int(ticket.price * 100) if ticket and order.status == "complete" else 0
        payment = snapshot.payments.get(order.id)
        charged = payment.amount_cents if payment and payment.state == "charged" else 0
        owed_total += owed
        charged_total += charged
        if not owed == charged == kept.get(order.id, 0):
            problems.append(
                f"order {order.id} ({order.status}): price {owed} cents, payments charged"
                f" {charged}, Stripe kept {kept.get(order.id, 0)}"
            )
    kept_total = sum(kept.values())
    summary = (
        f"Stripe kept {_dollars(kept_total)} of {len(snapshot.charges)} charges;"
        f" payments charged {_dollars(charged_total)}; complete orders cost {_dollars(owed_total)}"
    )
    return judged(rule, summary, problems)


CHECKS: tuple[Checker, ...] = (
    one_order_per_ticket,
    winners_hold_tickets,
    no_failed_requests,
    expected_answers,
    paid_orders_complete,
    replicas_converged,
    money_balances,
)


def _one(ids: set[str]) -> str:
    return ", ".join(sorted(ids)) or "none"


def _dollars(cents: int) -> str:
    return f"${cents / 100:,.2f}"
