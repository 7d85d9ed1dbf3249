"""Steps: what each `ticketing cluster` command does, in order, shown as a plan or run live."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ticketing_harness.errors import HarnessError


@dataclass(frozen=True)
class Step:
    """One step: its plan lines (commands and API calls), and doing it (a one-line result)."""

    key: str
    title: str
    plan: Callable[[], list[str]]
    run: Callable[[], str]


class Reporter(Protocol):
    """Live progress of the steps."""

    def started(self, number: int, total: int, step: Step) -> None: ...

    def finished(self, step: Step, detail: str, seconds: float) -> None: ...

    def failed(self, step: Step, error: HarnessError) -> None: ...


def plan_lines(steps: list[Step]) -> list[str]:
    """Every step and every command or API call it would make, numbered."""
    lines: list[str] = []
    for number, step in enumerate(steps, start=1):
        lines.append(f"{number}. {step.title}")
        lines.extend(f"   {line}" for line in step.plan())
    return lines


def run_steps(steps: list[Step], reporter: Reporter) -> None:
    """Run each step in turn; the first failure stops the rest."""
    for number, step in enumerate(steps, start=1):
        reporter.started(number, len(steps), step)
        started = time.monotonic()
        try:
            detail = step.run()
        except HarnessError as error:
            reporter.failed(step, error)
            raise
        reporter.finished(step, detail, time.monotonic() - started)


def until(attempt: Callable[[], str | None], *, timeout: float, interval: float, what: str) -> int:
    """Repeat `attempt` until it returns None (done) or `timeout` passes; the attempts made.

    `attempt` answers why it is not done yet; the last answer ends the error message.
    """
    deadline = time.monotonic() + timeout
    attempts = 0
    while True:
        attempts += 1
        problem = attempt()
        if problem is None:
            return attempts
        if time.monotonic() + interval > deadline:
            raise HarnessError(f"{what} after {attempts} attempts in {timeout:.0f}s: {problem}")
        time.sleep(interval)
