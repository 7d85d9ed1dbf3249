"""A fault plan: which faults a chaos run injects, where, how often, from one seed.

The chaos runner writes the plan as JSON into its run directory and starts the stack with
`TICKETING_FAULT_PLAN` naming the file; every service process reads it when it starts.
Whether a rule fires on a message is drawn from the seed, the rule and the message's
position in its stream of messages, never from the clock, so a re-run with the same seed
and workload injects (nearly) the same faults.
"""

from __future__ import annotations

import random
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ticketing_common.faults.canaries import Canary


class Stage(StrEnum):
    """Where a fault is injected."""

    PUBLISH = "publish"
    DELIVERY = "delivery"
    RUNNER = "runner"


class FaultKind(StrEnum):
    """Every fault the layer can inject; the comment says what the system must survive."""

    DELAY = "delay"  # a delivery held while its consumer goes on: it arrives late
    REORDER = "reorder"  # a window of deliveries held, then handled in shuffled order
    DROP_DELIVERY = "drop-delivery"  # nak'd unhandled: the broker redelivers it
    LOSE_ACK = "lose-ack"  # handled, ack never sent: redelivered after the ack wait
    PAUSE = "pause"  # the consumer stops for a while
    KILL = "kill"  # SIGKILL between the handler's commit and its ack
    DROP_PUBLISH = "drop-publish"  # never sent, reported failed: the outbox sends it again
    LOSE_PUBACK = "lose-puback"  # sent, reported failed: sent again, deduplicated by the broker
    DUPLICATE = "duplicate"  # a second copy, same event id, published later
    DUPLICATE_FRESH_ID = "duplicate-fresh-id"  # a copy under a new event id, published later
    RESTART_BROKER = "restart-broker"  # the runner kills NATS and starts it on its data

    @property
    def stage(self) -> Stage:
        return _STAGES[self]


_STAGES = {
    **{kind: Stage.DELIVERY for kind in FaultKind},
    FaultKind.DROP_PUBLISH: Stage.PUBLISH,
    FaultKind.LOSE_PUBACK: Stage.PUBLISH,
    FaultKind.DUPLICATE: Stage.PUBLISH,
    FaultKind.DUPLICATE_FRESH_ID: Stage.PUBLISH,
    FaultKind.RESTART_BROKER: Stage.RUNNER,
}


class FaultRule(BaseModel):
    """One kind of fault, where it applies and how often.

    `subjects` and `consumers` narrow it (NATS subject patterns; durable names, for delivery
    faults); `probability` is per message; `seconds` bounds a delay, pause, hold or the lag
    of a duplicate (a fixed time when both ends are equal); `limit` caps how often it fires
    in the whole run; `at` is when a runner fault happens, in seconds into the workload.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    kind: FaultKind
    subjects: tuple[str, ...] = ("events.>",)
    consumers: tuple[str, ...] | None = None
    probability: float = Field(default=0.1, ge=0, le=1)
    seconds: tuple[float, float] = (0.2, 1.0)
    window: int = Field(default=4, ge=2)
    limit: int | None = Field(default=None, ge=1)
    at: tuple[float, ...] = ()

    @model_validator(mode="after")
    def _bounds(self) -> FaultRule:
        low, high = self.seconds
        if not 0 <= low <= high:
            raise ValueError(f"rule {self.id}: seconds must be 0 <= low <= high")
        return self

    def draw(self, seed: int, key: str, ordinal: int) -> random.Random:
        """The random source of this rule for the `ordinal`-th message under `key`."""
        return random.Random(f"{seed}:{self.id}:{key}:{ordinal}")

    def describe(self) -> str:
        """One line: what, where, how often."""
        where = ",".join(self.consumers) if self.consumers else ",".join(self.subjects)
        low, high = self.seconds
        span = f"{low:g}s" if low == high else f"{low:g}-{high:g}s"
        if self.kind.stage is Stage.RUNNER:
            return f"{self.id}: {self.kind} at {', '.join(f'{t:g}s' for t in self.at)}"
        extra = f", window {self.window}" if self.kind is FaultKind.REORDER else ""
        cap = f", at most {self.limit}" if self.limit else ""
        return f"{self.id}: {self.kind} p={self.probability:g} {span}{extra}{cap} on {where}"


class FaultPlan(BaseModel):
    """A chaos run's faults and disabled safeguards, and where the services record faults."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int
    run_dir: Path
    rules: tuple[FaultRule, ...] = ()
    canaries: tuple[Canary, ...] = ()

    @property
    def log_dir(self) -> Path:
        """Where each process appends the faults it injected, one JSON line each."""
        return self.run_dir / "faults"

    @property
    def quiet_file(self) -> Path:
        """Once this file exists, no new fault is injected (the workload is over)."""
        return self.run_dir / "quiet"

    def without(self, rule_ids: set[str]) -> FaultPlan:
        """The same plan with those rules left out."""
        kept = tuple(rule for rule in self.rules if rule.id not in rule_ids)
        return self.model_copy(update={"rules": kept})

    def save(self, path: Path) -> None:
        path.write_text(self.model_dump_json(indent=2))

    @classmethod
    def load(cls, path: Path) -> FaultPlan:
        return cls.model_validate_json(path.read_text())
