"""I1 no ticket held by two live orders nor sold twice; I4 every order ended."""

from __future__ import annotations

from collections import defaultdict

from ticketing_chaos.checks.base import LIVE, CheckResult, Evidence, Violation, ids


def no_double_booking(evidence: Evidence) -> CheckResult:
    """Replays every write of the orders table: at no point two live orders on one ticket."""
    status: dict[str, str] = {}
    live: dict[str, set[str]] = defaultdict(set)
    reported: set[str] = set()
    violations = []
    for change in evidence.audit("orders", "orders"):
        order, ticket = change.row["id"], change.row["ticket_id"]
        status[order] = change.row["status"]
        (live[ticket].add if status[order] in LIVE else live[ticket].discard)(order)
        if len(live[ticket]) > 1 and ticket not in reported:
            reported.add(ticket)
            violations.append(
                Violation(
                    f"ticket {ticket} held by {len(live[ticket])} live orders at once",
                    ids(ticket, *sorted(live[ticket])),
                )
            )
    complete: dict[str, list[str]] = defaultdict(list)
    for order in evidence.rows("orders", "orders"):
        if order["status"] == "complete":
            complete[str(order["ticket_id"])].append(str(order["id"]))
    for ticket, orders in complete.items():
        if len(orders) > 1:
            violations.append(
                Violation(f"ticket {ticket} sold {len(orders)} times", ids(ticket, *orders))
            )
    tickets = len(live)
    return CheckResult(
        "I1",
        "no ticket held by two live orders or sold twice",
        f"{len(status)} orders on {tickets} tickets",
        violations,
    )


def orders_ended(evidence: Evidence) -> CheckResult:
    """Once every window has passed, each order is cancelled or complete."""
    orders = evidence.rows("orders", "orders")
    violations = [
        Violation(
            f"order {order['id']} is still {order['status']} after its window",
            ids(order["id"], order["ticket_id"]),
        )
        for order in orders
        if order["status"] not in ("cancelled", "complete")
    ]
    return CheckResult(
        "I4", "every order ended cancelled or complete", f"{len(orders)} orders", violations
    )
