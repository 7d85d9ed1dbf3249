"""What happened during a live run besides what the stores keep: every request and its answer,
the outages, the faults injected, and the API documents the answers are judged by."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ticketing_chaos.live.nemesis import Outage
from ticketing_chaos.workload.history import Operation
from ticketing_common.faults.record import InjectedFault


@dataclass(frozen=True)
class Journal:
    """A live run's journal; times are epoch seconds, and `epoch` is when the workload began
    (each operation's times count from it)."""

    operations: list[Operation]
    epoch: float
    outages: list[Outage] = field(default_factory=list)
    faults: list[InjectedFault] = field(default_factory=list)
    openapi: dict[str, dict[str, Any]] = field(default_factory=dict)
