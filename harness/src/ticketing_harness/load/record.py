"""The run record: what a scenario's master writes when Locust ends, and the verdict reads."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ticketing_harness.load.outcomes import Tally
from ticketing_harness.load.plan import PlannedTicket


@dataclass
class RunRecord:
    """One run: its scenario, target and timeline, the tickets it listed and what users saw."""

    scenario: str
    run_id: str
    host: str
    users: int
    workers: int = 0
    started_at: float | None = None  # the tickets were listed; users start to arrive
    opened_at: float | None = None  # every user is in: the sale opens
    ended_at: float | None = None
    tickets: list[PlannedTicket] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)

    @property
    def ticket_ids(self) -> list[str]:
        """The run's tickets: those listed before it started and those users listed during it."""
        return [ticket.id for ticket in self.tickets] + self.tally.listed

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "run_id": self.run_id,
            "host": self.host,
            "users": self.users,
            "workers": self.workers,
            "started_at": self.started_at,
            "opened_at": self.opened_at,
            "ended_at": self.ended_at,
            "tickets": [ticket.to_json() for ticket in self.tickets],
            "tally": self.tally.to_json(),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> RunRecord:
        return cls(
            scenario=raw["scenario"],
            run_id=raw["run_id"],
            host=raw["host"],
            users=raw["users"],
            workers=raw["workers"],
            started_at=raw["started_at"],
            opened_at=raw["opened_at"],
            ended_at=raw["ended_at"],
            tickets=[PlannedTicket.from_json(ticket) for ticket in raw["tickets"]],
            tally=Tally.from_json(raw["tally"]),
        )

    def save(self, path: Path) -> None:
        """Write atomically: a reader never sees half a record."""
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(self.to_json(), indent=2))
        os.replace(partial, path)

    @classmethod
    def load(cls, path: Path) -> RunRecord:
        return cls.from_json(json.loads(path.read_text()))
