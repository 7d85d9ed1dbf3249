"""The invariants every run must keep, each a pure function of its evidence (I1 to I7).

`AT_REST` holds once everything was delivered; `AT_ANY_MOMENT` even in the middle of a run
(the parts that replay the audit of every write). `ticketing load` picks those its stores
allow; the chaos suite adds what only it knows (the answers its workload got, its faults).
"""

from __future__ import annotations

from collections.abc import Callable

from ticketing_harness.evidence.invariants.booking import no_double_booking, orders_ended
from ticketing_harness.evidence.invariants.delivery import contracts_kept, nothing_lost
from ticketing_harness.evidence.invariants.money import money
from ticketing_harness.evidence.invariants.replicas import (
    consecutive_versions,
    replicas_equal_sources,
    tickets_follow_orders,
)
from ticketing_harness.evidence.results import CheckResult
from ticketing_harness.evidence.snapshot import Evidence

Invariant = Callable[[Evidence], CheckResult]

AT_REST: tuple[Invariant, ...] = (
    no_double_booking,
    replicas_equal_sources,
    consecutive_versions,
    orders_ended,
    money,
    nothing_lost,
    contracts_kept,
)
AT_ANY_MOMENT: tuple[Invariant, ...] = (
    no_double_booking,
    tickets_follow_orders,
    consecutive_versions,
)
