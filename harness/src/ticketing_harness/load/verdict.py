"""The verdict: wait for the stack to settle, read every store, run every check; exit code."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import asdict, dataclass

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ticketing_harness.load.checks import CHECKS, Check, Status, replicas_converged
from ticketing_harness.load.drain import Drain, wait_until_drained
from ticketing_harness.load.record import RunRecord
from ticketing_harness.load.snapshot import Snapshot, take
from ticketing_harness.local.access import StackAccess

SETTLE_POLL = 0.5
EXIT_CODES = {Status.PASSED: 0, Status.FAILED: 1, Status.NOT_RUN: 2}
STYLES = {Status.PASSED: "green", Status.FAILED: "bold red", Status.NOT_RUN: "yellow"}


@dataclass(frozen=True)
class Verdict:
    """Every check of one run; failed if one failed, incomplete if one could not run."""

    scenario: str
    run_id: str
    host: str
    checks: list[Check]

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
            "checks": [asdict(check) for check in self.checks],
        }
        return json.dumps(body, indent=2)

    def render(self) -> Group:
        """The checks as a table, then the problems each failed check found."""
        table = Table(title=f"Verdict of {self.scenario} run {self.run_id} against {self.host}")
        for column in ("check", "result", "figures"):
            table.add_column(column)
        for check in self.checks:
            table.add_row(check.rule, Text(check.status.value, STYLES[check.status]), check.summary)
        lines: list[Table | Text] = [table]
        for check in self.checks:
            if check.problems:
                lines.append(Text(f"{check.rule}:", style="bold"))
                lines += [Text(f"  - {problem}") for problem in check.problems]
        outcome = {
            Status.PASSED: "every check passed",
            Status.FAILED: "FAILED",
            Status.NOT_RUN: "incomplete: some checks could not run",
        }[self.status]
        lines.append(Text(f"Verdict: {outcome}", STYLES[self.status]))
        return Group(*lines)


async def judge(record: RunRecord, access: StackAccess, *, drain_timeout: float) -> Verdict:
    """Wait for the consumers to drain, then check the run against every store it can reach.

    `drain_timeout` bounds both the drain and the wait for the replicas to agree after it.
    """
    deadline = time.monotonic() + drain_timeout
    drain = await wait_until_drained(access, drain_timeout)
    snapshot = await _settled(record, access, drain, deadline)
    checks = [check(record, snapshot, drain) for check in CHECKS]
    return Verdict(record.scenario, record.run_id, record.host, checks)


async def _settled(
    record: RunRecord, access: StackAccess, drain: Drain, deadline: float
) -> Snapshot:
    """A snapshot whose replicas agree, or the last one taken at the deadline."""
    while True:
        snapshot = await take(access, record.ticket_ids)
        converged = replicas_converged(record, snapshot, drain).status is not Status.FAILED
        if converged or time.monotonic() >= deadline:
            return snapshot
        await asyncio.sleep(SETTLE_POLL)
