"""Delta debugging keeps the fewest faults that still fail, within its budget of re-runs."""

from __future__ import annotations

from ticketing_chaos.shrink import ddmin

RULES = [f"r{n}" for n in range(10)]


def failing_with(*needed: str):  # type: ignore[no-untyped-def]
    async def fails(subset: list[str]) -> bool:
        return all(rule in subset for rule in needed)

    return fails


async def test_a_pair_of_faults_that_fail_together_is_found() -> None:
    shrunk = await ddmin(RULES, failing_with("r2", "r7"), budget=100)
    assert sorted(shrunk.items) == ["r2", "r7"]
    assert not shrunk.exhausted


async def test_a_failure_without_any_fault_shrinks_to_an_empty_plan_at_once() -> None:
    shrunk = await ddmin(RULES, failing_with(), budget=100)
    assert shrunk.items == []
    assert shrunk.runs == 1


async def test_the_budget_caps_the_runs_and_keeps_a_plan_that_failed() -> None:
    fails = failing_with("r2", "r7")
    shrunk = await ddmin(RULES, fails, budget=3)
    assert shrunk.runs == 3
    assert shrunk.exhausted
    assert await fails(shrunk.items)
