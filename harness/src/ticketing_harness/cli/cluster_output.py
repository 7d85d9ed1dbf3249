"""How `ticketing cluster` shows its work: a plan, live progress of the steps, the tables."""

from __future__ import annotations

from rich.markup import escape
from rich.status import Status
from rich.table import Table

from ticketing_harness.cli.output import console, errors
from ticketing_harness.clusters.session import Session
from ticketing_harness.clusters.status import Workload
from ticketing_harness.clusters.steps import Step, plan_lines, run_steps
from ticketing_harness.doctor.findings import Check
from ticketing_harness.errors import HarnessError


def perform(session: Session, steps: list[Step], plan: bool) -> None:
    """Print the plan, or run the steps with live progress."""
    if plan:
        console.print(
            f"Plan for cluster {session.spec.name} ({session.spec.provider}); nothing runs:"
        )
        for line in plan_lines(steps):
            console.print(escape(line), soft_wrap=True)
        return
    try:
        run_steps(steps, _Progress())
    finally:
        session.close()


def workload_table(found: list[Workload]) -> Table:
    table = Table(box=None)
    for column in ("workload", "kind", "ready", "image"):
        table.add_column(column)
    for workload in found:
        mark = "[green]" if workload.is_ready else "[yellow]"
        ready = f"{mark}{workload.ready}/{workload.wanted}[/]"
        table.add_row(workload.name, workload.kind, ready, workload.image)
    return table


def check_table(checks: list[Check]) -> Table:
    table = Table(box=None)
    for column in ("check", "result", "detail"):
        table.add_column(column)
    for check in checks:
        result = "[green]pass[/]" if check.ok else "[red]FAIL[/]"
        table.add_row(check.name, result, escape(check.detail))
    return table


class _Progress:
    """Each step as it starts and ends, with a spinner on a terminal."""

    def __init__(self) -> None:
        self._status: Status | None = None

    def started(self, number: int, total: int, step: Step) -> None:
        console.print(f"[bold][{number}/{total}][/] {escape(step.title)}")
        if console.is_terminal:
            self._status = console.status(f"{step.key}...")
            self._status.start()

    def finished(self, step: Step, detail: str, seconds: float) -> None:
        self._stop()
        console.print(f"  [green]done[/] {escape(detail)} [dim]({seconds:.1f}s)[/]", soft_wrap=True)

    def failed(self, step: Step, error: HarnessError) -> None:
        self._stop()
        errors.print(f"  [red]failed[/] at step {step.key}")

    def _stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
