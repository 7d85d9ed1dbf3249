"""The chaos suite's commands: `ticketing chaos run|scenarios|canaries|explore|suite`.

The suite itself is the `ticketing_chaos` package, which builds on this harness; it is
imported only when a command runs.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ticketing_harness.cli.output import console, reports_errors, stopped_like_ctrl_c
from ticketing_harness.errors import HarnessError

chaos = typer.Typer(
    no_args_is_help=True,
    help="Break the system on purpose; check that no data goes wrong.",
)


def register(app: typer.Typer) -> None:
    """Add `chaos` and its commands to the `ticketing` command."""
    app.add_typer(chaos, name="chaos")


def _out_dir(out: Path | None, prefix: str) -> Path:
    """`--out`, else a new temporary directory; either way one PostgreSQL's user can reach."""
    path = out or Path(tempfile.mkdtemp(prefix=prefix))
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o711)
    return path


def _suite() -> None:
    if importlib.util.find_spec("ticketing_chaos") is None:
        raise HarnessError(
            "the chaos suite (ticketing-chaos) is not installed; run `uv sync --all-packages`"
        )


@chaos.command()
@reports_errors
def run(
    scenario: Annotated[
        str, typer.Option(help="Which scenario; see `ticketing chaos scenarios`.")
    ] = "mixed",
    seed: Annotated[
        int | None, typer.Option(help="Seed of workload and faults.", show_default="random")
    ] = None,
    duration: Annotated[
        float | None,
        typer.Option(min=1, help="Seconds of workload.", show_default="the scenario's"),
    ] = None,
    canary: Annotated[
        list[str] | None,
        typer.Option(
            help="Switch off this safeguard (repeatable); see `ticketing chaos canaries`.",
            show_default="none",
        ),
    ] = None,
    plan: Annotated[
        Path | None,
        typer.Option(
            help="Replay this fault plan (a run's plan.json).",
            show_default="the scenario's, from the seed",
        ),
    ] = None,
    shrink: Annotated[
        bool, typer.Option(help="On failure, re-run to find the fewest faults that still fail.")
    ] = True,
    shrink_runs: Annotated[
        int, typer.Option(min=1, help="At most this many re-runs to shrink.")
    ] = 8,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Where runs, logs and report.json go.", show_default="a new temporary directory"
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Run a scenario on a stack of its own and check every invariant.

    The stack starts with the fault layer on; simulated users drive it while the faults play
    out. Exits 0 only when every invariant held.
    """
    _suite()
    from ticketing_chaos.cli import parse_run

    request, fault_plan = parse_run(scenario, seed, duration, canary or [], plan)
    out_dir = _out_dir(out, f"ticketing-chaos-{request.scenario.name}-")
    if not json_output:
        console.print(
            f"chaos run: scenario {request.scenario.name}, seed {request.seed}, "
            f"{request.duration:g}s of workload; runs in {out_dir}"
        )
    from ticketing_chaos.report import render
    from ticketing_chaos.suite import chaos_run

    with stopped_like_ctrl_c():
        outcome = asyncio.run(
            chaos_run(request, out_dir, plan=fault_plan, shrink_budget=shrink_runs if shrink else 0)
        )
    if json_output:
        print(json.dumps(outcome.report, indent=2, default=str))
    else:
        render(outcome.report, console)
        console.print(f"report: {outcome.report_file}")
    if not outcome.passed:
        raise typer.Exit(1)


@chaos.command()
@reports_errors
def scenarios() -> None:
    """List the scenarios, each with what it stresses."""
    _suite()
    from ticketing_chaos.scenarios import SCENARIOS

    for name, scenario in SCENARIOS.items():
        kind = "standard" if scenario.standard else "extra"
        window = f"orders expire after {scenario.expiration_seconds}s"
        print(f"{name:<9} {scenario.summary} ({kind}, {scenario.duration:g}s, {window})")


@chaos.command()
@reports_errors
def canaries(
    prove: Annotated[
        bool,
        typer.Option(
            "--prove",
            help="Run the standard scenarios with each one off; fail if one goes unnoticed.",
        ),
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the proof's runs.")] = 1,
    out: Annotated[
        Path | None,
        typer.Option(help="Where the proof's runs go.", show_default="a new temporary directory"),
    ] = None,
) -> None:
    """List the safeguards a chaos run can switch off.

    One per line, name first; with --prove, check that the standard scenarios notice each.
    """
    from ticketing_common.faults.canaries import Canary

    if not prove:
        for canary in Canary:
            print(f"{canary.value}  {canary.description}")
        return
    _suite()
    from ticketing_chaos.suite import prove_canaries

    out_dir = _out_dir(out, "ticketing-chaos-canaries-")
    with stopped_like_ctrl_c():
        every_one = asyncio.run(prove_canaries(seed, out_dir, console))
    if not every_one:
        raise HarnessError(f"the standard scenarios did not notice every canary; runs in {out_dir}")


@chaos.command()
@reports_errors
def explore(
    examples: Annotated[int, typer.Option(min=1, help="Programs (orderings) to try.")] = 1000,
    steps: Annotated[int, typer.Option(min=1, help="Steps per program, at most.")] = 30,
    seed: Annotated[int, typer.Option(help="Hypothesis's seed.")] = 1,
    canary: Annotated[
        list[str] | None,
        typer.Option(help="Switch off this safeguard (repeatable).", show_default="none"),
    ] = None,
    replay: Annotated[
        Path | None,
        typer.Option(
            help="Run this program (a failure's, saved to a file) again.", show_default="none"
        ),
    ] = None,
) -> None:
    """Deterministic mode: the services' handlers on a simulated bus.

    The real handlers and listeners run on a private PostgreSQL; Hypothesis chooses every
    delivery, duplicate, lost ack and delay. Exits 0 when every program kept every
    invariant; a failure prints its shrunk program.
    """
    _suite()
    from ticketing_chaos.cli import parse_canaries, read_program
    from ticketing_chaos.deterministic import explore as deterministic

    switched_off = parse_canaries(canary or [])
    if replay is not None:
        try:
            deterministic.replay(read_program(replay), switched_off)
        except AssertionError as failure:
            console.print(f"[bold red]FAILED[/] again: {escape(str(failure))}")
            raise typer.Exit(1) from None
        console.print("[green]passed[/]: every invariant held")
        return
    found = deterministic.explore(examples=examples, steps=steps, seed=seed, canaries=switched_off)
    console.print(
        f"explored {found.examples} programs in {found.seconds:.1f}s "
        f"({found.per_minute:.0f} per minute)"
    )
    if found.failure is None:
        console.print("[green]every invariant held[/]")
        return
    console.print(f"[bold red]FAILED[/] {escape(found.failure)}\nshrunk program:")
    print(found.program)
    raise typer.Exit(1)


@chaos.command()
@reports_errors
def suite(
    seed: Annotated[int, typer.Option(help="Seed of every run.")] = 1,
    examples: Annotated[
        int, typer.Option(min=1, help="Programs for the deterministic mode.")
    ] = 2000,
    out: Annotated[
        Path | None,
        typer.Option(help="Where the runs go.", show_default="a new temporary directory"),
    ] = None,
) -> None:
    """Everything `./dev chaos` runs, each with a fixed seed.

    The standard scenarios, the deterministic mode and the canary proof. Exits 0 only when
    all of it passed.
    """
    _suite()
    from ticketing_chaos.suite import run_suite

    out_dir = _out_dir(out, "ticketing-chaos-suite-")
    with stopped_like_ctrl_c():
        passed = asyncio.run(run_suite(seed, examples, out_dir, console))
    if not passed:
        raise HarnessError(f"the chaos suite failed; reports in {out_dir}")
