"""The fault layer of one process: its plan, its record, and which fault hits which message."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from ticketing_common.contracts import subject_matches
from ticketing_common.faults.plan import FaultKind, FaultPlan, FaultRule, Stage
from ticketing_common.faults.record import EventRef, FaultLog

log = logging.getLogger(__name__)

# A consumer that waits longer than this for a lost ack would hold a run up for minutes.
MAX_ACK_WAIT_FOR_LOST_ACKS = 15.0


@dataclass(frozen=True)
class Injection:
    """A fault chosen for one message, with the random source its parameters come from."""

    rule: FaultRule
    seconds: float
    rng_seed: int

    @property
    def kind(self) -> FaultKind:
        return self.rule.kind


class FaultLayer:
    """Chooses faults for the messages of one process, records them, runs their tasks."""

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self.log = FaultLog(plan.log_dir)
        self._seen: Counter[tuple[str, str]] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def injecting(self) -> bool:
        """False once the runner has said the workload is over."""
        return not self.plan.quiet_file.exists()

    def choose(
        self, stage: Stage, subject: str, *, consumer: str | None = None, ack_wait: float = 0.0
    ) -> Injection | None:
        """The fault, if any, for the next message on `subject` (to `consumer`)."""
        if not self.injecting:
            return None
        key = consumer or subject
        for rule in self.plan.rules:
            if not self._applies(rule, stage, subject, consumer, ack_wait):
                continue
            self._seen[rule.id, key] += 1
            rng = rule.draw(self.plan.seed, key, self._seen[rule.id, key])
            if rng.random() < rule.probability and self._under_limit(rule):
                low, high = rule.seconds
                return Injection(rule, rng.uniform(low, high), rng.getrandbits(32))
        return None

    def _under_limit(self, rule: FaultRule) -> bool:
        """A capped rule counts what every process of the run injected so far (on disk)."""
        return rule.limit is None or self.log.fired_everywhere(rule.id) < rule.limit

    def _applies(
        self, rule: FaultRule, stage: Stage, subject: str, consumer: str | None, ack_wait: float
    ) -> bool:
        if rule.kind.stage is not stage:
            return False
        if rule.consumers is not None and consumer not in rule.consumers:
            return False
        if rule.kind in (FaultKind.LOSE_ACK, FaultKind.KILL) and ack_wait > (
            MAX_ACK_WAIT_FOR_LOST_ACKS
        ):
            return False
        return any(subject_matches(subject, pattern) for pattern in rule.subjects)

    def record(
        self,
        injection: Injection,
        subject: str,
        event: EventRef,
        *,
        consumer: str | None = None,
        durable: bool = False,
        **detail: Any,
    ) -> None:
        self.log.record(
            injection.kind,
            injection.rule.id,
            subject,
            event,
            consumer=consumer,
            durable=durable,
            **detail,
        )

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in the background, kept referenced until it ends, its errors logged."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a fault task failed", exc_info=task.exception())
