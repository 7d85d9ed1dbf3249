"""What the invariant checks share: the evidence they read and the shape of their verdicts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ticketing_chaos.live.nemesis import Outage
from ticketing_chaos.live.snapshot import AuditRow, Snapshot
from ticketing_chaos.workload.history import Operation

# An order that holds its ticket (the partial unique index's statuses).
LIVE = ("created", "complete")


@dataclass(frozen=True)
class Violation:
    """One way an invariant broke, naming the records involved."""

    message: str
    entities: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    """An invariant's verdict, with what it looked at."""

    id: str
    title: str
    checked: str
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class Evidence:
    """What a run leaves to check: the system at rest, the workload's history, the outages.

    Times are epoch seconds; `epoch` is when the workload's history began.
    """

    snapshot: Snapshot
    operations: list[Operation]
    epoch: float
    outages: list[Outage]
    openapi: dict[str, dict[str, Any]]

    def rows(self, database: str, table: str) -> list[dict[str, Any]]:
        return self.snapshot.table(database, table)

    def audit(self, database: str, relation: str) -> list[AuditRow]:
        return [row for row in self.snapshot.databases[database].audit if row.relation == relation]


def ids(*values: object) -> tuple[str, ...]:
    """Entity ids as text, for a violation."""
    return tuple(str(value) for value in values if value is not None)


def by_id(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(row["id"]): row for row in rows}
