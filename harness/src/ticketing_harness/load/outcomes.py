"""What each answer means to a load test, and the tally of outcomes a run keeps."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

ALREADY_RESERVED = "Ticket is already reserved"
MAX_EXAMPLES = 20  # distinct answers kept per kind of failure


class Outcome(StrEnum):
    """One request's outcome, from the point of view of the user who sent it."""

    OK = "ok"  # what the step was for
    LOST = "lost"  # "Ticket is already reserved": a loser of the race
    NOT_YET = "not yet"  # 404 while the record is still replicating to the answering service
    REFUSED = "refused"  # a refusal the rules allow (pay a cancelled order, edit a reserved one)
    THROTTLED = "throttled"  # 429: come back after Retry-After
    UNEXPECTED = "unexpected"  # any other 4xx: a client or server bug
    SERVER_ERROR = "server error"  # 5xx
    DROPPED = "dropped"  # no answer: refused, reset or closed connection
    TIMEOUT = "timeout"  # no answer in time

    @property
    def failed(self) -> bool:
        """5xx, dropped connections, timeouts and unexpected answers fail a request."""
        return self in FAILURES


FAILURES = frozenset({Outcome.UNEXPECTED, Outcome.SERVER_ERROR, Outcome.DROPPED, Outcome.TIMEOUT})


@dataclass(frozen=True)
class Answer:
    """What came back: the status (0 when nothing did) and the first error message."""

    status: int
    message: str | None = None
    timed_out: bool = False

    def __str__(self) -> str:
        if self.status == 0:
            return "timeout" if self.timed_out else f"no answer ({self.message})"
        return f"{self.status} {self.message}" if self.message else str(self.status)


Expected = Mapping[tuple[int, str | None], Outcome]
"""The answers a step expects: (status, error message or None for any) to outcome."""


def classify(answer: Answer, expected: Expected) -> Outcome:
    """The outcome of an answer, given what the step expects."""
    for key in ((answer.status, answer.message), (answer.status, None)):
        if key in expected:
            return expected[key]
    if answer.status == 0:
        return Outcome.TIMEOUT if answer.timed_out else Outcome.DROPPED
    if answer.status >= 500:
        return Outcome.SERVER_ERROR
    if answer.status == 429:
        return Outcome.THROTTLED
    return Outcome.UNEXPECTED


@dataclass
class Tally:
    """Outcomes per step, failing answers by kind, and the orders and tickets users made.

    Workers send what they tallied to the master (`drain`), which `merge`s it.
    """

    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)  # step: outcome: count
    failures: dict[str, dict[str, int]] = field(default_factory=dict)  # outcome: answer: count
    won: list[tuple[str, str]] = field(default_factory=list)  # (order id, ticket id)
    paid: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)  # tickets users listed during the run

    def count(self, step: str, outcome: Outcome, answer: Answer) -> None:
        per_step = self.outcomes.setdefault(step, {})
        per_step[outcome.value] = per_step.get(outcome.value, 0) + 1
        if outcome.failed:
            examples = self.failures.setdefault(outcome.value, {})
            key = f"{step}: {answer}"
            if key in examples or len(examples) < MAX_EXAMPLES:
                examples[key] = examples.get(key, 0) + 1

    def total(self, outcome: Outcome) -> int:
        return sum(per_step.get(outcome.value, 0) for per_step in self.outcomes.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "outcomes": self.outcomes,
            "failures": self.failures,
            "won": [list(pair) for pair in self.won],
            "paid": self.paid,
            "cancelled": self.cancelled,
            "listed": self.listed,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Tally:
        return cls(
            outcomes={step: dict(counts) for step, counts in raw["outcomes"].items()},
            failures={step: dict(counts) for step, counts in raw["failures"].items()},
            won=[(order, ticket) for order, ticket in raw["won"]],
            paid=list(raw["paid"]),
            cancelled=list(raw["cancelled"]),
            listed=list(raw["listed"]),
        )

    def merge(self, other: Tally) -> None:
        """Add another tally's counts and records to this one."""
        for mine, theirs in ((self.outcomes, other.outcomes), (self.failures, other.failures)):
            for step, counts in theirs.items():
                into = mine.setdefault(step, {})
                for key, n in counts.items():
                    into[key] = into.get(key, 0) + n
        self.won += other.won
        self.paid += other.paid
        self.cancelled += other.cancelled
        self.listed += other.listed

    def drain(self) -> Tally:
        """Everything tallied so far, leaving this tally empty."""
        drained = dataclasses.replace(self)
        vars(self).update(vars(Tally()))
        return drained
