"""The verdict: wait for the stack to settle, read every store, run every check; exit code."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from dataclasses import dataclass

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ticketing_harness.evidence.access import StackAccess
from ticketing_harness.evidence.drain import Drain, wait_until_drained
from ticketing_harness.evidence.invariants.booking import no_double_booking
from ticketing_harness.evidence.invariants.money import money
from ticketing_harness.evidence.invariants.replicas import replicas_equal_sources
from ticketing_harness.evidence.reading import take_snapshot
from ticketing_harness.evidence.results import CheckResult, Status, Violation
from ticketing_harness.evidence.snapshot import Evidence
from ticketing_harness.load.record import RunRecord
from ticketing_harness.load.tally_checks import (
    expected_answers,
    no_failed_requests,
    paid_orders_complete,
    winners_hold_tickets,
)

SETTLE_POLL = 0.5
MAX_PROBLEMS = 20  # listed per check; the count says how many there were
STORE_OPTIONS = "see --database, --nats, --stripe-api-base"
EXIT_CODES = {Status.PASSED: 0, Status.FAILED: 1, Status.NOT_RUN: 2}
STYLES = {Status.PASSED: "green", Status.FAILED: "bold red", Status.NOT_RUN: "yellow"}


@dataclass(frozen=True)
class Verdict:
    """Every check of one run; failed if one failed, incomplete if one could not run."""

    scenario: str
    run_id: str
    host: str
    checks: list[CheckResult]

    @property
    def status(self) -> Status:
        statuses = {check.status for check in self.checks}
        for status in (Status.FAILED, Status.NOT_RUN):
            if status in statuses:
                return status
        return Status.PASSED

    @property
    def exit_code(self) -> int:
        """0 when every check passed, 1 when one failed, 2 when none failed but one did not run."""
        return EXIT_CODES[self.status]

    def to_json(self) -> str:
        body = {
            "scenario": self.scenario,
            "run_id": self.run_id,
            "host": self.host,
            "status": self.status.value,
            "checks": [_json(check) for check in self.checks],
        }
        return json.dumps(body, indent=2)

    def render(self) -> Group:
        """The checks as a table, then the problems each failed check found."""
        table = Table(title=f"Verdict of {self.scenario} run {self.run_id} against {self.host}")
        for column in ("check", "result", "figures"):
            table.add_column(column)
        for check in self.checks:
            status = Text(check.status.value, STYLES[check.status])
            table.add_row(f"{check.id} {check.title}", status, _summary(check))
        lines: list[Table | Text] = [table]
        for check in self.checks:
            if check.violations:
                lines.append(Text(f"{check.id} {check.title}:", style="bold"))
                lines += [Text(f"  - {problem}") for problem in _problems(check)]
        outcome = {
            Status.PASSED: "every check passed",
            Status.FAILED: "FAILED",
            Status.NOT_RUN: "incomplete: some checks could not run",
        }[self.status]
        lines.append(Text(f"Verdict: {outcome}", STYLES[self.status]))
        return Group(*lines)


def _summary(check: CheckResult) -> str:
    return f"{check.checked} ({STORE_OPTIONS})" if check.needs else check.checked


def _problems(check: CheckResult) -> list[str]:
    problems = [violation.message for violation in check.violations]
    if len(problems) > MAX_PROBLEMS:
        return [*problems[:MAX_PROBLEMS], f"... and {len(problems) - MAX_PROBLEMS} more"]
    return problems


def _json(check: CheckResult) -> dict[str, object]:
    return {
        "id": check.id,
        "rule": check.title,
        "status": check.status.value,
        "summary": _summary(check),
        "problems": _problems(check),
    }


def checks(record: RunRecord, evidence: Evidence, drain: Drain) -> list[CheckResult]:
    """The shared invariants a load run's stores allow, and the load-only checks."""
    return [
        no_double_booking(evidence),
        winners_hold_tickets(record, evidence),
        no_failed_requests(record),
        expected_answers(record),
        paid_orders_complete(record, evidence),
        replicas_after(drain, replicas_equal_sources(evidence)),
        money(evidence),
    ]


def replicas_after(drain: Drain, replicas: CheckResult) -> CheckResult:
    """The replicas' verdict, failed too when the consumers never drained."""
    if replicas.needs:
        return replicas
    stuck = [] if drain.drained or not drain.checked else [Violation(drain.describe())]
    checked = f"{replicas.checked}; {drain.describe()}"
    return dataclasses.replace(replicas, checked=checked, violations=stuck + replicas.violations)


async def judge(record: RunRecord, access: StackAccess, *, drain_timeout: float) -> Verdict:
    """Wait for the consumers to drain, then check the run against every store it can reach.

    `drain_timeout` bounds both the drain and the wait for the replicas to agree after it.
    """
    deadline = time.monotonic() + drain_timeout
    drain = await wait_until_drained(access, drain_timeout)
    evidence = await _settled(record, access, deadline)
    return Verdict(record.scenario, record.run_id, record.host, checks(record, evidence, drain))


async def _settled(record: RunRecord, access: StackAccess, deadline: float) -> Evidence:
    """The run's evidence once its replicas agree, or the last one taken at the deadline."""
    while True:
        snapshot = await take_snapshot(
            access, tickets=record.ticket_ids, history=False, broker=False
        )
        evidence = Evidence(snapshot)
        converged = replicas_equal_sources(evidence).status is not Status.FAILED
        if converged or time.monotonic() >= deadline:
            return evidence
        await asyncio.sleep(SETTLE_POLL)
