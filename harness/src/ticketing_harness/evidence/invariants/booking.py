"""I1 no ticket held by two live orders nor sold twice; I4 every order ended."""

from __future__ import annotations

from collections import defaultdict

from ticketing_harness.evidence.results import CheckResult, Violation, ids, not_run
from ticketing_harness.evidence.snapshot import AuditRow, Evidence, Row

# An order that holds its ticket (the partial unique index's statuses).
LIVE = ("created", "complete")
ENDED = ("cancelled", "complete")

I1 = ("I1", "no ticket held by two live orders or sold twice")
I4 = ("I4", "every order ended cancelled or complete")


def no_double_booking(evidence: Evidence) -> CheckResult:
    """At no moment two live orders on one ticket (every write of the orders table replayed,
    when the database kept an audit; else as it is now), and no ticket sold twice."""
    if missing := evidence.missing("orders"):
        return not_run(*I1, missing)
    orders = evidence.rows("orders", "orders")
    if evidence.audited("orders"):
        violations = _replayed(evidence.audit("orders", "orders"))
    else:
        violations = _held_now(orders)
    complete: dict[str, list[str]] = defaultdict(list)
    for order in orders:
        if order["status"] == "complete":
            complete[str(order["ticket_id"])].append(str(order["id"]))
    violations += [
        Violation(f"ticket {ticket} sold {len(sold)} times", ids(ticket, *sold))
        for ticket, sold in complete.items()
        if len(sold) > 1
    ]
    tickets = len({str(order["ticket_id"]) for order in orders})
    return CheckResult(*I1, f"{len(orders)} orders on {tickets} tickets", violations)


def _replayed(changes: list[AuditRow]) -> list[Violation]:
    """Each ticket that two live orders held at once, from the writes in their order."""
    status: dict[str, str] = {}
    live: dict[str, set[str]] = defaultdict(set)
    reported: set[str] = set()
    violations = []
    for change in changes:
        order, ticket = str(change.row["id"]), str(change.row["ticket_id"])
        status[order] = change.row["status"]
        (live[ticket].add if status[order] in LIVE else live[ticket].discard)(order)
        if len(live[ticket]) > 1 and ticket not in reported:
            reported.add(ticket)
            violations.append(_double(ticket, live[ticket], " at once"))
    return violations


def _held_now(orders: list[Row]) -> list[Violation]:
    live: dict[str, set[str]] = defaultdict(set)
    for order in orders:
        if order["status"] in LIVE:
            live[str(order["ticket_id"])].add(str(order["id"]))
    return [_double(ticket, held, "") for ticket, held in live.items() if len(held) > 1]


def _double(ticket: str, orders: set[str], when: str) -> Violation:
    held = sorted(orders)
    return Violation(
        f"ticket {ticket} held by {len(held)} live orders{when} ({', '.join(held)})",
        ids(ticket, *held),
    )


def orders_ended(evidence: Evidence) -> CheckResult:
    """Once its window has passed, each order is cancelled or complete."""
    if missing := evidence.missing("orders"):
        return not_run(*I4, missing)
    due = [o for o in evidence.rows("orders", "orders") if evidence.window_passed(str(o["id"]))]
    violations = [
        Violation(
            f"order {order['id']} is still {order['status']} after its window",
            ids(order["id"], order["ticket_id"]),
        )
        for order in due
        if order["status"] not in ENDED
    ]
    return CheckResult(*I4, f"{len(due)} orders", violations)
