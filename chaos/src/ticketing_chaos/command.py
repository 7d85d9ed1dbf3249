"""`ticketing chaos run|scenarios|canaries|explore|suite`: the options of each command and what
they need checked before a run starts.

The `ticketing` command finds this group through the `ticketing.commands` entry point. Only
typer and the CLI's output are imported here: `ticketing --help` stays fast, and each
command imports the suite when it runs.
"""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from ticketing_harness.cli.output import console, reports_errors, stopped_like_ctrl_c
from ticketing_harness.errors import HarnessError

if TYPE_CHECKING:
    from ticketing_chaos.runner import RunRequest
    from ticketing_common.faults.canaries import Canary
    from ticketing_common.faults.plan import FaultPlan

app = typer.Typer(
    no_args_is_help=True,
    help="Break the system on purpose; check that no data goes wrong.",
)


@app.command()
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
    request, fault_plan = _parse_run(scenario, seed, duration, canary or [], plan)
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


@app.command()
@reports_errors
def scenarios() -> None:
    """List the scenarios, each with what it stresses."""
    from ticketing_chaos.scenarios import SCENARIOS

    for name, scenario in SCENARIOS.items():
        kind = "standard" if scenario.standard else "extra"
        window = f"orders expire after {scenario.expiration_seconds}s"
        print(f"{name:<9} {scenario.summary} ({kind}, {scenario.duration:g}s, {window})")


@app.command()
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
    from ticketing_chaos.suite import prove_canaries

    out_dir = _out_dir(out, "ticketing-chaos-canaries-")
    with stopped_like_ctrl_c():
        every_one = asyncio.run(prove_canaries(seed, out_dir, console))
    if not every_one:
        raise HarnessError(f"the standard scenarios did not notice every canary; runs in {out_dir}")


@app.command()
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
    from ticketing_chaos.deterministic import explore as deterministic

    switched_off = _parse_canaries(canary or [])
    if replay is not None:
        try:
            deterministic.replay(_read_program(replay), switched_off)
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


@app.command()
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
    from ticketing_chaos.suite import run_suite

    out_dir = _out_dir(out, "ticketing-chaos-suite-")
    with stopped_like_ctrl_c():
        passed = asyncio.run(run_suite(seed, examples, out_dir, console))
    if not passed:
        raise HarnessError(f"the chaos suite failed; reports in {out_dir}")


def _out_dir(out: Path | None, prefix: str) -> Path:
    """`--out`, else a new temporary directory; either way one PostgreSQL's user can reach."""
    path = out or Path(tempfile.mkdtemp(prefix=prefix))
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o711)
    return path


def _parse_run(
    scenario: str, seed: int | None, duration: float | None, canaries: list[str], plan: Path | None
) -> tuple[RunRequest, FaultPlan | None]:
    """The run asked for, or a one-line error saying what to fix."""
    from ticketing_chaos.runner import RunRequest
    from ticketing_chaos.scenarios import SCENARIOS

    chosen = SCENARIOS.get(scenario)
    if chosen is None:
        raise HarnessError(f"no scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}")
    switched_off = _parse_canaries(canaries)
    fault_plan = _plan(plan) if plan is not None else None
    if seed is None:
        seed = fault_plan.seed if fault_plan else random.SystemRandom().randrange(1, 2**31)
    return RunRequest(chosen, seed, duration or chosen.duration, switched_off), fault_plan


def _parse_canaries(names: list[str]) -> tuple[Canary, ...]:
    """The named canaries, or a one-line error naming the known ones."""
    from ticketing_common.faults.canaries import Canary

    known = {canary.value: canary for canary in Canary}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise HarnessError(f"no canary {unknown[0]!r}; choose one of {', '.join(known)}")
    return tuple(known[name] for name in names)


def _read_program(path: Path) -> str:
    """A program the deterministic mode printed, saved to a file."""
    try:
        program = path.read_text()
    except OSError as exc:
        raise HarnessError(f"cannot read the program {path}: {exc.strerror}") from None
    if "state = Marketplace()" not in program:
        raise HarnessError(f"{path} holds no program: it starts with `state = Marketplace()`")
    return program


def _plan(path: Path) -> FaultPlan:
    from ticketing_common.faults.plan import FaultPlan

    try:
        return FaultPlan.load(path)
    except OSError as exc:
        raise HarnessError(f"cannot read the fault plan {path}: {exc.strerror}") from None
    except ValueError as exc:
        first = str(exc).splitlines()[0]
        raise HarnessError(
            f"{path} is not a fault plan ({first}); pass a run's plan.json"
        ) from None
