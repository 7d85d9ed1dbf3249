"""What a check returns: whether its rule held, what it looked at, and each way it broke."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_RUN = "not run"


@dataclass(frozen=True)
class Violation:
    """One way a rule broke, naming the records involved."""

    message: str
    entities: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    """A rule's verdict: `checked` says what it looked at (or what it needed, when it could
    not run); each violation, how it broke."""

    id: str
    title: str
    checked: str
    violations: list[Violation] = field(default_factory=list)
    needs: tuple[str, ...] = ()  # what it could not read, so it did not run

    @property
    def status(self) -> Status:
        if self.needs:
            return Status.NOT_RUN
        return Status.FAILED if self.violations else Status.PASSED

    @property
    def ok(self) -> bool:
        return self.status is Status.PASSED


def not_run(check_id: str, title: str, needs: Iterable[str]) -> CheckResult:
    """The verdict of a rule whose evidence was out of reach."""
    needed = tuple(needs)
    return CheckResult(check_id, title, f"needs access to {', '.join(needed)}", needs=needed)


def ids(*values: object) -> tuple[str, ...]:
    """Entity ids as text, for a violation."""
    return tuple(str(value) for value in values if value is not None)
