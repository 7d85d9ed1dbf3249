"""The record of injected faults: one JSON line per fault, one file per process."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ticketing_common.faults.plan import FaultKind


@dataclass(frozen=True)
class EventRef:
    """What a fault record says about the event it hit."""

    event_id: str | None = None
    event_type: str | None = None
    record_id: str | None = None
    version: int | None = None

    @classmethod
    def peek(cls, payload: bytes) -> EventRef:
        """The envelope's id and type and the record's id and version, if it parses."""
        try:
            body = json.loads(payload)
            data = body.get("data") or {}
            version = data.get("version")
            record = data.get("id") or data.get("orderId")
            return cls(
                event_id=_text(body.get("id")),
                event_type=_text(body.get("type")),
                record_id=_text(record),
                version=version if isinstance(version, int) else None,
            )
        except (ValueError, AttributeError):
            return cls()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class InjectedFault:
    """One fault that happened: when, what, to which event, where."""

    at: float
    kind: FaultKind
    rule: str
    subject: str
    event: EventRef = field(default_factory=EventRef)
    consumer: str | None = None
    pid: int = 0
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> InjectedFault:
        return cls(**{**raw, "kind": FaultKind(raw["kind"]), "event": EventRef(**raw["event"])})


class FaultLog:
    """Appends this process's faults to `<log_dir>/faults-<pid>.jsonl`."""

    def __init__(self, log_dir: Path) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir = log_dir
        self.path = log_dir / f"faults-{os.getpid()}.jsonl"

    def record(
        self,
        kind: FaultKind,
        rule: str,
        subject: str,
        event: EventRef,
        *,
        consumer: str | None = None,
        durable: bool = False,
        **detail: Any,
    ) -> InjectedFault:
        """Append one fault; `durable` forces it to disk (the process is about to die)."""
        fault = InjectedFault(
            time.time(), kind, rule, subject, event, consumer, os.getpid(), detail
        )
        with self.path.open("a") as log:
            log.write(json.dumps(fault.to_json()) + "\n")
            if durable:
                log.flush()
                os.fsync(log.fileno())
        return fault

    def fired_everywhere(self, rule: str) -> int:
        """How often a rule fired in the whole run: this process, the others, the dead."""
        return sum(fault.rule == rule for fault in _read(self.log_dir))


def read_faults(log_dir: Path) -> list[InjectedFault]:
    """Every fault recorded in a run's log directory, oldest first."""
    return sorted(_read(log_dir), key=lambda fault: fault.at)


def _read(log_dir: Path) -> Iterator[InjectedFault]:
    for path in sorted(log_dir.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            try:
                yield InjectedFault.from_json(json.loads(line))
            except ValueError:  # a line cut short by a killed process, or an empty one
                continue
