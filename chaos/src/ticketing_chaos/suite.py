"""`ticketing chaos run` and the canary proof: runs, shrinking on failure, reports."""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from ticketing_chaos.deterministic.explore import explore
from ticketing_chaos.report import ShrinkOutcome, build
from ticketing_chaos.runner import RunRequest, RunResult, run_once
from ticketing_chaos.scenarios import SCENARIOS, STANDARD
from ticketing_chaos.shrink import ddmin
from ticketing_common.faults.canaries import Canary
from ticketing_common.faults.plan import FaultPlan, FaultRule
from ticketing_harness.errors import HarnessError

log = logging.getLogger(__name__)

REPORT_FILE = "report.json"
SHRINK_RUNS = 8  # re-runs delta debugging may spend on a failure (each is a whole run)
STEPS = 30  # steps per program of the deterministic mode


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
        try:
            result = await run_once(failed.request, out_dir / f"shrink-{next(tries):02d}", plan)
        except HarnessError as error:  # e.g. a port taken meanwhile: this try tells nothing
            log.warning("a shrinking run could not be carried out: %s", error)
            return False
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


async def run_suite(seed: int, examples: int, out_dir: Path, console: Console) -> bool:
    """Each standard scenario, the deterministic mode, then the canary proof; True if all passed."""
    say = functools.partial(console.print, soft_wrap=True)
    passed = True
    for name in STANDARD:
        scenario = SCENARIOS[name]
        request = RunRequest(scenario, seed, scenario.duration)
        outcome = await chaos_run(request, out_dir / name, shrink_budget=SHRINK_RUNS)
        report = outcome.report
        passed &= outcome.passed
        say(
            f"{_verdict(outcome.passed)} scenario {name}: {report['faults']['total']} faults, "
            f"{report['operations']['total']} requests, report {outcome.report_file}"
        )
    found = await asyncio.to_thread(explore, examples=examples, steps=STEPS, seed=seed)
    passed &= found.failure is None
    say(
        f"{_verdict(found.failure is None)} deterministic mode: {found.examples} programs, "
        f"{found.per_minute:.0f} per minute"
        + (f"\n{found.failure}\n{found.program}" if found.failure else "")
    )
    return await prove_canaries(seed, out_dir / "canaries", console) and passed


async def prove_canaries(seed: int, out_dir: Path, console: Console) -> bool:
    """Each canary off in turn; True if the standard scenarios noticed every one."""
    every_one = True
    for canary in Canary:
        verdict = await prove_canary(canary, seed, out_dir)
        every_one &= verdict.caught_by is not None
        if verdict.caught_by is None:
            caught = "UNNOTICED: every standard scenario passed"
        else:
            broken = ", ".join(verdict.broken)
            caught = f"caught by {verdict.caught_by} ({broken}), report {verdict.report_file}"
        verdict_text = _verdict(verdict.caught_by is not None)
        console.print(f"{verdict_text} canary {canary}: {caught}", soft_wrap=True)
    return every_one


def _verdict(ok: bool) -> str:
    return "[green]PASS[/]" if ok else "[bold red]FAIL[/]"
