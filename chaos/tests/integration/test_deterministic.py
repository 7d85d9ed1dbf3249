"""The deterministic mode: many orderings of the real handlers pass; a disabled safeguard is
found, shrunk to a program, and that program fails again when replayed."""

from __future__ import annotations

import pytest

from ticketing_chaos.deterministic.explore import explore, replay
from ticketing_common.faults.canaries import Canary

pytestmark = pytest.mark.timeout(600)


def test_many_orderings_keep_every_invariant() -> None:
    found = explore(examples=30, steps=30, seed=1)
    assert found.failure is None, f"{found.failure}\n{found.program}"
    assert found.examples >= 30


def test_a_disabled_processed_event_record_is_found_and_replays() -> None:
    canaries = (Canary.PROCESSED_EVENT_RECORD,)
    found = explore(examples=50, steps=20, seed=1, canaries=canaries)
    assert found.failure is not None and found.failure.startswith("I6: ")
    assert found.program is not None and found.program.startswith("state = Marketplace()")
    assert found.program.endswith("state.teardown()")
    with pytest.raises(AssertionError, match=r"^I6: "):
        replay(found.program, canaries)
    replay(found.program)  # with the safeguard on, the same steps keep every invariant
