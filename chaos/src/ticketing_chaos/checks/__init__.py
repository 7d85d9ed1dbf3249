"""The invariants a chaos run must keep, each a pure function of the evidence it left."""

from __future__ import annotations

from collections.abc import Callable

from ticketing_chaos.checks.answers import answers_allowed
from ticketing_chaos.checks.base import CheckResult, Evidence, Violation
from ticketing_chaos.checks.booking import no_double_booking, orders_ended
from ticketing_chaos.checks.delivery import contracts_kept, nothing_lost
from ticketing_chaos.checks.money import money
from ticketing_chaos.checks.replicas import consecutive_versions, replicas_equal_sources

INVARIANTS: tuple[Callable[[Evidence], CheckResult], ...] = (
    no_double_booking,
    replicas_equal_sources,
    consecutive_versions,
    orders_ended,
    money,
    nothing_lost,
    contracts_kept,
    answers_allowed,
)


def check(evidence: Evidence) -> list[CheckResult]:
    """Every invariant's verdict, in order I1 to I8."""
    return [invariant(evidence) for invariant in INVARIANTS]


__all__ = ["CheckResult", "Evidence", "Violation", "check"]
