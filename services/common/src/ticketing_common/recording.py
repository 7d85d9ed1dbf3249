"""The bus's recording switch: every message a process publishes or consumes, as JSON lines.

Set `RECORD_EVENTS_DIR` for a service (or for `ticketing up`, whose services inherit it)
and each process appends to `<dir>/<service>-<pid>.jsonl`. The contract tools read the
directory back: every published message must validate, and every declared event should be
published and consumed (`ticketing contracts coverage <dir>`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

Kind = Literal["published", "consumed"]


@dataclass(frozen=True)
class Record:
    """One message as a process saw it; `consumer` and `outcome` only for consumed ones."""

    at: str
    service: str
    kind: Kind
    subject: str
    body: str
    consumer: str | None = None
    outcome: str | None = None


class EventRecorder:
    """Appends a process's records to its own file in a shared directory."""

    def __init__(self, directory: Path, service: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.service = service
        self.path = directory / f"{service}-{os.getpid()}.jsonl"

    def published(self, subject: str, body: bytes) -> None:
        self._write(Record(_now(), self.service, "published", subject, _text(body)))

    def consumed(self, consumer: str, subject: str, body: bytes, outcome: str) -> None:
        record = Record(_now(), self.service, "consumed", subject, _text(body), consumer, outcome)
        self._write(record)

    def _write(self, record: Record) -> None:
        # One short append per message: whole lines, even with several writers.
        with self.path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(record.__dict__) + "\n")


def read_records(directory: Path) -> Iterator[Record]:
    """Every record in a recording directory, file by file."""
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield Record(**json.loads(line))


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")
