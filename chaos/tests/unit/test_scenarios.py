"""The scenarios: valid plans, every fault kind used by the standard ones, a short smoke run."""

from __future__ import annotations

from pathlib import Path

from ticketing_chaos.scenarios import SCENARIOS, STANDARD
from ticketing_common.faults.plan import FaultKind, FaultPlan


def test_every_fault_kind_is_injected_by_the_standard_scenarios(tmp_path: Path) -> None:
    kinds = {
        rule.kind
        for name in STANDARD
        for rule in SCENARIOS[name].plan(1, SCENARIOS[name].duration, tmp_path).rules
    }
    assert kinds == set(FaultKind)


def test_each_plan_survives_its_file(tmp_path: Path) -> None:
    for scenario in SCENARIOS.values():
        plan = scenario.plan(5, scenario.duration, tmp_path)
        plan.save(tmp_path / "plan.json")
        assert FaultPlan.load(tmp_path / "plan.json") == plan
        assert len({rule.id for rule in plan.rules}) == len(plan.rules)


def test_broker_restarts_happen_during_the_workload() -> None:
    plan = SCENARIOS["crashes"].plan(1, 20, Path("/tmp"))
    [restart] = [rule for rule in plan.rules if rule.kind is FaultKind.RESTART_BROKER]
    assert all(0 < moment < 20 for moment in restart.at)


def test_the_smoke_scenario_is_short_and_not_standard() -> None:
    smoke = SCENARIOS["smoke"]
    assert smoke.duration <= 15
    assert "smoke" not in STANDARD
