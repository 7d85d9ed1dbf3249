"""A run's report: one JSON document, and the readable text printed from that same document."""

from __future__ import annotations

import functools
import shlex
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from ticketing_chaos.runner import RunResult
from ticketing_chaos.timeline import involved, timeline

MAX_VIOLATIONS_SHOWN = 8


@dataclass(frozen=True)
class ShrinkOutcome:
    """What delta debugging made of a failing plan."""

    rules_before: int
    runs: int
    exhausted: bool
    smallest: RunResult


def build(result: RunResult, run_dir: Path, shrunk: ShrinkOutcome | None = None) -> dict[str, Any]:
    """The JSON report of a run (and of the shrinking of its plan, if it failed)."""
    request = result.request
    journal = result.journal
    operations: dict[str, Counter[str]] = defaultdict(Counter)
    for op in journal.operations:
        operations[op.op][str(op.status) if op.status is not None else "no answer"] += 1
    plan_file = run_dir / "plan.json"
    report: dict[str, Any] = {
        "scenario": request.scenario.name,
        "seed": request.seed,
        "duration": request.duration,
        "canaries": [str(canary) for canary in request.canaries],
        "passed": result.passed,
        "run_dir": str(run_dir),
        "reproduce": reproduce_command(result, plan_file),
        "timings": {name: round(seconds, 2) for name, seconds in result.timings.items()},
        "operations": {
            "total": len(journal.operations),
            "by_request": {
                op: dict(sorted(counts.items())) for op, counts in sorted(operations.items())
            },
        },
        "faults": {
            "total": len(journal.faults),
            "by_kind": dict(Counter(str(f.kind) for f in journal.faults).most_common()),
        },
        "outages": [asdict(outage) for outage in journal.outages],
        "invariants": [
            {
                "id": r.id,
                "title": r.title,
                "ok": r.ok,
                "checked": r.checked,
                "violations": [asdict(v) for v in r.violations],
            }
            for r in result.results
        ],
        "troubles": result.troubles,
        "plan": [rule.describe() for rule in result.plan.rules],
    }
    if not result.passed:
        report["failure"] = _failure(result, shrunk)
    return report


def _failure(result: RunResult, shrunk: ShrinkOutcome | None) -> dict[str, Any]:
    """The broken invariants, and the history of the (smallest) failing run around them."""
    shown = shrunk.smallest if shrunk is not None else result
    broken = [r for r in shown.results if not r.ok] or [r for r in result.results if not r.ok]
    entities = involved(broken)
    failure: dict[str, Any] = {
        "broken": [r.id for r in result.results if not r.ok],
        "entities": entities,
        "history": [entry.line() for entry in timeline(shown.evidence, shown.journal, entities)],
    }
    if shrunk is not None:
        failure["shrunk"] = {
            "rules_before": shrunk.rules_before,
            "rules_after": len(shrunk.smallest.plan.rules),
            "runs": shrunk.runs,
            "budget_exhausted": shrunk.exhausted,
            "plan": [rule.describe() for rule in shrunk.smallest.plan.rules],
            "plan_file": str(shrunk.smallest.plan.run_dir / "plan.json"),
            "reproduce": reproduce_command(
                shrunk.smallest, shrunk.smallest.plan.run_dir / "plan.json"
            ),
        }
    return failure


def reproduce_command(result: RunResult, plan_file: Path) -> str:
    request = result.request
    args = [
        "ticketing",
        "chaos",
        "run",
        "--scenario",
        request.scenario.name,
        "--seed",
        str(request.seed),
        "--duration",
        f"{request.duration:g}",
        "--plan",
        str(plan_file),
    ]
    for canary in request.canaries:
        args += ["--canary", str(canary)]
    return shlex.join(args)


def render(report: dict[str, Any], console: Console) -> None:
    """Print the report for a reader."""
    say = functools.partial(console.print, soft_wrap=True)
    canaries = ", ".join(report["canaries"]) or "none"
    say(
        f"[bold]chaos run[/] scenario {report['scenario']}, seed {report['seed']}, "
        f"{report['duration']:g}s, canaries switched off: {canaries}"
    )
    say("timings: " + ", ".join(f"{k} {v:g}s" for k, v in report["timings"].items()))
    ops = report["operations"]
    say(f"\n[bold]operations[/] {ops['total']}")
    for op, counts in ops["by_request"].items():
        say(f"  {op:<13} " + "  ".join(f"{status}: {n}" for status, n in counts.items()))
    faults = report["faults"]
    say(f"\n[bold]faults injected[/] {faults['total']}")
    for kind, count in faults["by_kind"].items():
        say(f"  {kind:<19} {count}")
    for outage in report["outages"]:
        down = outage["up_at"] - outage["down_at"] if outage["up_at"] else None
        length = f"{down:.1f}s" if down is not None else "not back"
        say(f"  {outage['component']} down {length} ({escape(outage['cause'])})")
    say("\n[bold]invariants[/]")
    for invariant in report["invariants"]:
        verdict = "[green]PASS[/]" if invariant["ok"] else "[bold red]FAIL[/]"
        say(f"  {verdict} {invariant['id']} {invariant['title']} ({invariant['checked']})")
        for violation in invariant["violations"][:MAX_VIOLATIONS_SHOWN]:
            say(f"       {escape(violation['message'])}")
        hidden = len(invariant["violations"]) - MAX_VIOLATIONS_SHOWN
        if hidden > 0:
            say(f"       ... and {hidden} more (see the JSON report)")
    for trouble in report["troubles"]:
        say(f"  [bold red]TROUBLE[/] {escape(trouble)}")
    if "failure" in report:
        _render_failure(report, console)
    verdict = "[bold green]every invariant held[/]" if report["passed"] else "[bold red]FAILED[/]"
    say(f"\n{verdict}; run directory {report['run_dir']}")


def _render_failure(report: dict[str, Any], console: Console) -> None:
    say = functools.partial(console.print, soft_wrap=True)
    failure = report["failure"]
    say(f"\n[bold]seed[/] {report['seed']}  [bold]fault plan[/]")
    for rule in report["plan"]:
        say(f"  {escape(rule)}")
    say(f"reproduce: {escape(report['reproduce'])}")
    shrunk = failure.get("shrunk")
    if shrunk is not None:
        note = " (budget spent: smaller may exist)" if shrunk["budget_exhausted"] else ""
        say(
            f"\n[bold]shrunk[/] from {shrunk['rules_before']} rules to {shrunk['rules_after']}"
            f" in {shrunk['runs']} runs{note}:"
        )
        for rule in shrunk["plan"] or ["(no fault at all: it fails without any)"]:
            say(f"  {escape(rule)}")
        say(f"reproduce: {escape(shrunk['reproduce'])}")
    which = "the smallest failing run" if shrunk is not None else "the run"
    say(f"\n[bold]history[/] of {', '.join(failure['entities'])} in {which}:")
    for line in failure["history"]:
        say(f"  {escape(line)}")
