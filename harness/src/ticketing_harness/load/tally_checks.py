"""The load verdict's own checks: what users were told and what they met (the run's tally)
against what the stores hold. The rest of the verdict is the shared invariants."""

from __future__ import annotations

from ticketing_harness.evidence.invariants.replicas import by_id
from ticketing_harness.evidence.results import CheckResult, Violation, not_run
from ticketing_harness.evidence.snapshot import Evidence
from ticketing_harness.load.outcomes import Outcome
from ticketing_harness.load.record import RunRecord

L1 = ("L1", "the number of winners equals the number of reserved or sold tickets")
L2 = ("L2", "no 5xx, no dropped connection, no timeout")
L3 = ("L3", "every other answer was one the rules allow")
L4 = ("L4", "every paid order is complete")


def winners_hold_tickets(record: RunRecord, evidence: Evidence) -> CheckResult:
    """Each order a buyer was told they won exists, and each order of the run was won."""
    if missing := evidence.missing("orders", "tickets"):
        return not_run(*L1, missing)
    orders = by_id(evidence.rows("orders", "orders"))
    tickets = by_id(evidence.rows("tickets", "tickets"))
    won = {order for order, _ in record.tally.won}
    problems = [f"order {o}: a buyer won it, orders has no such order" for o in won - set(orders)]
    problems += [
        f"order {o} on ticket {orders[o]['ticket_id']}: no buyer was told they won it"
        for o in set(orders) - won
    ]
    problems += [
        f"ticket {t}: tickets has no such ticket" for t in record.ticket_ids if t not in tickets
    ]
    statuses = [order["status"] for order in orders.values()]
    by_buyers = len(set(record.tally.cancelled) & set(orders))
    summary = (
        f"{len(won)} won: {statuses.count('complete')} sold, {statuses.count('created')} reserved,"
        f" {by_buyers} cancelled by their buyer, {statuses.count('cancelled') - by_buyers} expired;"
        f" {sum(1 for t in tickets.values() if t['order_id'])} tickets reserved or sold"
    )
    return _judged(L1, summary, problems)


def no_failed_requests(record: RunRecord) -> CheckResult:
    return _requests(L2, record, (Outcome.SERVER_ERROR, Outcome.DROPPED, Outcome.TIMEOUT))


def expected_answers(record: RunRecord) -> CheckResult:
    return _requests(L3, record, (Outcome.UNEXPECTED,))


def _requests(
    rule: tuple[str, str], record: RunRecord, outcomes: tuple[Outcome, ...]
) -> CheckResult:
    tally = record.tally
    requests = sum(sum(counts.values()) for counts in tally.outcomes.values())
    figures = ", ".join(f"{tally.total(outcome)} {outcome.value}" for outcome in outcomes)
    problems = [
        f"{n} x {answer}"
        for outcome in outcomes
        for answer, n in tally.failures.get(outcome.value, {}).items()
    ]
    return _judged(rule, f"{requests} requests: {figures}", problems)


def paid_orders_complete(record: RunRecord, evidence: Evidence) -> CheckResult:
    """A charged payment's order is complete, a refunded one's cancelled; each order a buyer
    paid has its payment."""
    if missing := evidence.missing("orders", "payments"):
        return not_run(*L4, missing)
    orders = by_id(evidence.rows("orders", "orders"))
    payments = {str(p["order_id"]): p for p in evidence.rows("payments", "payments")}
    problems = []
    for order_id, payment in payments.items():
        status = orders[order_id]["status"] if order_id in orders else "missing"
        wanted = {"charged": "complete", "refunded": "cancelled"}.get(payment["state"])
        if wanted is None:
            problems.append(
                f"order {order_id}: its payment {payment['id']} is still {payment['state']}"
            )
        elif status != wanted:
            problems.append(f"order {order_id}: payment {payment['state']}, order {status}")
    problems += [
        f"order {order_id}: its buyer paid, payments has no payment"
        for order_id in record.tally.paid
        if order_id not in payments
    ]
    states = [payment["state"] for payment in payments.values()]
    summary = (
        f"{len(record.tally.paid)} paid by buyers: {states.count('charged')} charged,"
        f" {states.count('refunded')} refunded after the order ended"
    )
    return _judged(L4, summary, problems)


def _judged(rule: tuple[str, str], summary: str, problems: list[str]) -> CheckResult:
    return CheckResult(*rule, summary, [Violation(problem) for problem in problems])
