"""The chaos suite's invariants: the shared ones (I1 to I7, with what the expiration service
owes every order added to I6) and, in a live run, I8 on the answers its workload got."""

from __future__ import annotations

import dataclasses

from expiration.jobs import expiry_event_id
from ticketing_chaos.answers import answers_allowed
from ticketing_chaos.live.journal import Journal
from ticketing_harness.evidence import invariants
from ticketing_harness.evidence.invariants import Invariant, delivery
from ticketing_harness.evidence.results import CheckResult, Violation, ids
from ticketing_harness.evidence.snapshot import Evidence


def nothing_lost(evidence: Evidence) -> CheckResult:
    """I6, and every order whose window passed got its expiration.complete."""
    result = delivery.nothing_lost(evidence)
    if result.needs:
        return result
    on_wire = {message.event_id for message in evidence.snapshot.stream or []}
    unexpired = [
        Violation(f"order {order['id']} never got its expiration.complete", ids(order["id"]))
        for order in evidence.rows("orders", "orders")
        if evidence.window_passed(str(order["id"]))
        and str(expiry_event_id(order["id"])) not in on_wire
    ]
    return dataclasses.replace(result, violations=[*result.violations, *unexpired])


AT_REST: tuple[Invariant, ...] = tuple(
    nothing_lost if rule is delivery.nothing_lost else rule for rule in invariants.AT_REST
)
AT_ANY_MOMENT = invariants.AT_ANY_MOMENT


def check(evidence: Evidence, journal: Journal | None = None) -> list[CheckResult]:
    """Every invariant's verdict, in order I1 to I8 (I8 only with a live run's journal)."""
    results = [invariant(evidence) for invariant in AT_REST]
    return results if journal is None else [*results, answers_allowed(journal)]
