"""The chaos scenarios: a workload, an expiration window and the faults each one injects, as
`scenarios.toml` declares them."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ticketing_chaos.workload.actors import Mix
from ticketing_common.faults.canaries import Canary
from ticketing_common.faults.plan import FaultPlan, FaultRule, Stage


@dataclass(frozen=True)
class Scenario:
    """A named workload and fault mix; `standard` ones run in the suite and the canary proof.

    `rules` are as declared: the `at` of a runner fault is a share of the duration.
    """

    name: str
    summary: str
    duration: float
    expiration_seconds: int
    mix: Mix
    rules: tuple[dict[str, Any], ...]
    standard: bool = True

    def plan(
        self, seed: int, duration: float, run_dir: Path, canaries: tuple[Canary, ...] = ()
    ) -> FaultPlan:
        rules = tuple(_rule(declared, duration) for declared in self.rules)
        return FaultPlan(seed=seed, run_dir=run_dir, rules=rules, canaries=canaries)


def _rule(declared: dict[str, Any], duration: float) -> FaultRule:
    rule = FaultRule.model_validate(declared)
    if rule.kind.stage is Stage.RUNNER:
        rule = rule.model_copy(update={"at": tuple(share * duration for share in rule.at)})
    return rule


def _scenarios() -> dict[str, Scenario]:
    declared = tomllib.loads(resources.files(__package__).joinpath("scenarios.toml").read_text())
    groups = {
        group: [
            {"id": rule_id, **rule, **_consumers(rule, declared["quick"])}
            for rule_id, rule in rules.items()
        ]
        for group, rules in declared["rules"].items()
    }
    return {
        name: Scenario(
            name,
            scenario["summary"],
            duration=scenario["duration"],
            expiration_seconds=scenario["expiration_seconds"],
            mix=Mix(**{key: _tuples(value) for key, value in scenario["mix"].items()}),
            rules=tuple(rule for group in scenario["rules"] for rule in groups[group]),
            standard=scenario.get("standard", True),
        )
        for name, scenario in declared["scenarios"].items()
    }


def _consumers(rule: dict[str, Any], quick: list[str]) -> dict[str, Any]:
    return {"consumers": quick} if rule.get("consumers") == "quick" else {}


def _tuples(value: Any) -> Any:
    """TOML's arrays as the tuples a Mix holds."""
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value


SCENARIOS = _scenarios()
STANDARD = tuple(name for name, scenario in SCENARIOS.items() if scenario.standard)
