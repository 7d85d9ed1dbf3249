"""The report of a failed run: the broken invariant and its records, seed, plan, the shrunk
plan, and the history of those records, the same in JSON and in text."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from ticketing_chaos.invariants import check
from ticketing_chaos.live.journal import Journal
from ticketing_chaos.report import ShrinkOutcome, build, render
from ticketing_chaos.runner import RunRequest, RunResult
from ticketing_chaos.scenarios import SCENARIOS
from ticketing_harness.evidence.drain import Drain
from ticketing_harness.testing.evidence import EPOCH, Scene


def failed_run(run_dir: Path, rules: int | None = None) -> RunResult:
    """A crowds run in which a second order held the sold ticket for a while."""
    scene = Scene().sold()
    scene.double_booked()
    evidence = scene.evidence()
    request = RunRequest(SCENARIOS["crowds"], 42, 30)
    plan = request.scenario.plan(42, 30, run_dir)
    if rules is not None:
        plan = plan.model_copy(update={"rules": plan.rules[:rules]})
    journal = Journal([], EPOCH)
    drained = Drain(True, 0.5, {}, ("outboxes", "consumers"))
    return RunResult(request, plan, check(evidence, journal), evidence, journal, drained, [])


def test_a_failure_names_the_invariant_its_records_and_how_to_reproduce(tmp_path: Path) -> None:
    result = failed_run(tmp_path / "run")
    smallest = failed_run(tmp_path / "shrink-02", rules=1)
    report = build(result, tmp_path / "run", ShrinkOutcome(4, 3, False, smallest))
    assert not report["passed"]
    failure = report["failure"]
    assert "I1" in failure["broken"]
    # The history told is the smallest failing run's.
    ticket = smallest.evidence.rows("tickets", "tickets")[0]["id"]
    assert str(ticket) in failure["entities"]
    assert any(str(ticket) in line for line in failure["history"])
    plan_file = tmp_path / "run" / "plan.json"
    assert report["reproduce"] == (
        f"ticketing chaos run --scenario crowds --seed 42 --duration 30 --plan {plan_file}"
    )
    assert failure["shrunk"]["rules_before"] == 4 and failure["shrunk"]["rules_after"] == 1
    assert json.loads(json.dumps(report, default=str))["seed"] == 42


def test_the_text_report_shows_what_the_json_holds(tmp_path: Path) -> None:
    result = failed_run(tmp_path / "run")
    smallest = failed_run(tmp_path / "shrink-02", rules=1)
    report = build(result, tmp_path / "run", ShrinkOutcome(4, 3, True, smallest))
    out = io.StringIO()
    render(report, Console(file=out, width=100, color_system=None))
    text = out.getvalue()
    assert "FAIL I1 no ticket held by two live orders or sold twice" in text
    assert "seed 42" in text and report["plan"][0] in text
    assert "shrunk from 4 rules to 1 in 3 runs (budget spent: smaller may exist)" in text
    assert report["failure"]["history"][0] in text
    assert text.rstrip().endswith(f"FAILED; run directory {tmp_path / 'run'}")
