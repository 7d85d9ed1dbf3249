"""The deterministic mode: many orderings of the real handlers keep every invariant (its
failures, shrinking and replay: `test_explore_command`)."""

from __future__ import annotations

import pytest

from ticketing_chaos.deterministic.explore import explore

pytestmark = pytest.mark.timeout(600)


def test_many_orderings_keep_every_invariant() -> None:
    found = explore(examples=30, steps=30, seed=1)
    assert found.failure is None, f"{found.failure}\n{found.program}"
    assert found.examples >= 30
