"""`ticketing chaos run` and the canary proof: runs, shrinking on failure, reports."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ticketing_chaos.report import ShrinkOutcome, build
from ticketing_chaos.runner import RunRequest, RunResult, run_once
from ticketing_chaos.scenarios import SCENARIOS, STANDARD
from ticketing_chaos.shrink import ddmin
from ticketing_common.faults.canaries import Canary
from ticketing_common.faults.plan import FaultPlan, FaultRule

REPORT_FILE = "report.json"


@dataclass(frozen=True)
class Outcome:
    """A finished `chaos run`: its report, also written as JSON in the run directory."""

    report: dict[str, Any]
    report_file: Path

    @property
    def passed(self) -> bool:
        return bool(self.report["passed"])


async def chaos_run(
    request: RunRequest, out_dir: Path, *, plan: FaultPlan | None = None, shrink_budget: int = 0
) -> Outcome:
    """One run; if an invariant broke, shrink its plan within `shrink_budget` re-runs."""
    run_dir = out_dir / "run"
    result = await run_once(request, run_dir, plan)
    shrunk = None
    if result.broken and shrink_budget > 0:
        shrunk = await _shrink(result, out_dir, shrink_budget)
    report = build(result, run_dir, shrunk)
    report_file = out_dir / REPORT_FILE
    report_file.write_text(json.dumps(report, indent=2, default=str))
    return Outcome(report, report_file)


async def _shrink(failed: RunResult, out_dir: Path, budget: int) -> ShrinkOutcome:
    """Re-run with the same seed and fewer rules while the same invariants still break."""
    failing = {tuple(rule.id for rule in failed.plan.rules): failed}
    tries = itertools.count(1)

    async def fails(rules: list[FaultRule]) -> bool:
        plan = failed.plan.model_copy(update={"rules": tuple(rules)})
        result = await run_once(failed.request, out_dir / f"shrink-{next(tries):02d}", plan)
        if result.broken & failed.broken:
            failing[tuple(rule.id for rule in rules)] = result
            return True
        return False

    found = await ddmin(list(failed.plan.rules), fails, budget)
    smallest = failing[tuple(rule.id for rule in found.items)]
    return ShrinkOutcome(len(failed.plan.rules), found.runs, found.exhausted, smallest)


@dataclass(frozen=True)
class CanaryVerdict:
    """Whether the standard scenarios noticed one disabled safeguard, and which one did."""

    canary: Canary
    caught_by: str | None
    broken: list[str]
    report_file: Path | None


async def prove_canary(canary: Canary, seed: int, out_dir: Path) -> CanaryVerdict:
    """Run the standard scenarios with `canary` off until one breaks an invariant."""
    for name in STANDARD:
        scenario = SCENARIOS[name]
        request = RunRequest(scenario, seed, scenario.duration, (canary,))
        outcome = await chaos_run(request, out_dir / f"{canary}-{name}")
        broken = outcome.report.get("failure", {}).get("broken", [])
        if broken:
            return CanaryVerdict(canary, name, broken, outcome.report_file)
    return CanaryVerdict(canary, None, [], None)
