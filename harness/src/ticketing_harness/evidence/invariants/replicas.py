"""I2 every replica equals its source, and follows it in order; I3 replicas apply every
version once, in order."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ticketing_harness.evidence.invariants.booking import LIVE
from ticketing_harness.evidence.results import CheckResult, Violation, ids, not_run
from ticketing_harness.evidence.snapshot import AuditRow, Evidence, Row

I2 = ("I2", "every replica equals its source")
I3 = ("I3", "replicas applied consecutive versions, each once")
_TICKET_FIELDS = ("title", "price", "version", "order_id")
_ORDER_FIELDS = ("user_id", "status", "version")
# Columns a write may change without a new version: orders notes a refund (once or again, a
# copy under a fresh event id) on the order as it is.
_UNVERSIONED = {("orders", "orders"): frozenset({"refunded_at"})}
# The versioned rows, by database and table, as a violation names them.
_VERSIONED = (
    ("orders", "tickets", "orders' copy of ticket"),
    ("payments", "orders", "payments' copy of order"),
    ("tickets", "tickets", "ticket"),
    ("orders", "orders", "order"),
)


def by_id(rows: Iterable[Row]) -> dict[str, Row]:
    return {str(row["id"]): row for row in rows}


def replicas_equal_sources(evidence: Evidence) -> CheckResult:
    """Orders' tickets equal tickets', payments' orders equal orders'; tickets names the live
    orders; and, where the writes were audited, tickets never ran ahead of orders."""
    if missing := evidence.missing("tickets", "orders", "payments"):
        return not_run(*I2, missing)
    violations = [
        *_compare(
            "orders' copy of ticket",
            by_id(evidence.rows("tickets", "tickets")),
            by_id(evidence.rows("orders", "tickets")),
            _TICKET_FIELDS,
        ),
        *_compare(
            "payments' copy of order",
            by_id(evidence.rows("orders", "orders")),
            by_id(evidence.rows("payments", "orders")),
            _ORDER_FIELDS,
        ),
        *_holders(evidence),
        *_holds_follow_orders(evidence),
    ]
    tickets = len(evidence.rows("tickets", "tickets"))
    orders = len(evidence.rows("orders", "orders"))
    return CheckResult(*I2, f"{tickets} tickets, {orders} orders", violations)


def tickets_follow_orders(evidence: Evidence) -> CheckResult:
    """I2's part that holds at every moment, not only at rest: tickets never ran ahead."""
    if missing := evidence.missing("tickets", "orders"):
        return not_run(*I2, missing)
    tickets = len(evidence.rows("tickets", "tickets"))
    return CheckResult(*I2, f"{tickets} tickets", _holds_follow_orders(evidence))


def _compare(
    what: str, source: dict[str, Row], replica: dict[str, Row], fields: tuple[str, ...]
) -> list[Violation]:
    violations = []
    for key, row in source.items():
        copy = replica.get(key)
        if copy is None:
            violations.append(Violation(f"{what} {key} is missing", ids(key)))
            continue
        differ = [f"{f} {copy[f]} (source {row[f]})" for f in fields if str(copy[f]) != str(row[f])]
        if differ:
            violations.append(Violation(f"{what} {key} differs: {', '.join(differ)}", ids(key)))
    violations += [
        Violation(f"{what} {key} has no source", ids(key)) for key in replica.keys() - source.keys()
    ]
    return violations


def _holders(evidence: Evidence) -> list[Violation]:
    """The tickets service's `orderId` names the ticket's live order, or nothing."""
    live = {
        str(order["ticket_id"]): str(order["id"])
        for order in evidence.rows("orders", "orders")
        if order["status"] in LIVE
    }
    violations = []
    for ticket in evidence.rows("tickets", "tickets"):
        held = None if ticket["order_id"] is None else str(ticket["order_id"])
        expected = live.get(str(ticket["id"]))
        if held != expected:
            violations.append(
                Violation(
                    f"tickets says ticket {ticket['id']} is held by {held},"
                    f" orders says by {expected}",
                    ids(ticket["id"], held, expected),
                )
            )
    return violations


def _holds_follow_orders(evidence: Evidence) -> list[Violation]:
    """Tickets reserves a ticket only after orders created that order, and frees it only
    after orders cancelled it: the tickets service never runs ahead of its source."""
    if not evidence.audited("tickets", "orders"):
        return []
    created: dict[str, float] = {}
    cancelled: dict[str, float] = {}
    for change in evidence.audit("orders", "orders"):
        order = change.row["id"]
        created.setdefault(order, change.at)
        if change.row["status"] == "cancelled":
            cancelled.setdefault(order, change.at)
    violations = []
    holder: dict[str, str | None] = {}
    for change in evidence.audit("tickets", "tickets"):
        ticket, now = change.row["id"], change.row["order_id"]
        before = holder.get(ticket)
        holder[ticket] = now
        if now == before:
            continue
        if now is not None and (before is not None or created.get(now, float("inf")) > change.at):
            violations.append(
                _ahead(change, f"reserved for order {now} held by {before} or not yet created", now)
            )
        if now is None and before is not None and cancelled.get(before, float("inf")) > change.at:
            violations.append(_ahead(change, f"freed while order {before} was still live", before))
    return violations


def _ahead(change: AuditRow, what: str, order: str | None) -> Violation:
    ticket = change.row["id"]
    return Violation(
        f"ticket {ticket} (version {change.row['version']}) {what}", ids(ticket, order)
    )


def consecutive_versions(evidence: Evidence) -> CheckResult:
    """Every write of a versioned row moves it on by exactly one version."""
    databases = ("tickets", "orders", "payments")
    if missing := evidence.missing(*databases):
        return not_run(*I3, missing)
    if not evidence.audited(*databases):
        return not_run(*I3, ["an audit of every write (a chaos run's)"])
    violations = []
    rows = 0
    for database, relation, what in _VERSIONED:
        versions: dict[str, list[int]] = defaultdict(list)
        unversioned = _UNVERSIONED.get((database, relation), frozenset())
        last: dict[str, dict[str, Any]] = {}
        for change in evidence.audit(database, relation):
            before, last[change.row["id"]] = last.get(change.row["id"]), change.row
            if unversioned and before is not None and _changed(before, change.row) <= unversioned:
                continue
            versions[change.row["id"]].append(int(change.row["version"]))
        rows += len(versions)
        violations += [
            _gaps(what, key, applied) for key, applied in versions.items() if _broken(applied)
        ]
    return CheckResult(*I3, f"{rows} versioned rows", violations)


def _changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {key for key in after if after[key] != before.get(key)}


def _broken(applied: list[int]) -> bool:
    return any(after != before + 1 for before, after in itertools.pairwise(applied))


def _gaps(what: str, key: str, applied: list[int]) -> Violation:
    steps = itertools.pairwise(applied)
    wrong = [
        f"{a}->{b} ({'applied twice' if b == a else 'skipped' if b > a else 'went back'})"
        for a, b in steps
        if b != a + 1
    ]
    return Violation(f"{what} {key} applied versions {applied}: {', '.join(wrong)}", (key,))
