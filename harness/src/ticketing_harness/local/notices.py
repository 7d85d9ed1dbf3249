"""What a stack's supervisor reports, one JSON object per line: to `ticketing up` on its output,
and to `ticketing restart` on the control socket."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
from enum import StrEnum

# A line within PIPE_BUF is written whole or not at all, so a reader never gets half of one.
MAX_TEXT = 3000


class Phase(StrEnum):
    """Where a component is in its start."""

    WAITING = "waiting"
    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"


class Kind(StrEnum):
    PHASE = "phase"  # a component's start: `name`, `phase` (a Phase), `text` (its detail)
    READY = "ready"  # everything runs: `text` is the URL
    FAILED = "failed"  # the start failed and everything stopped: `text` says why
    NOTE = "note"  # something happened (a crash, a restart, a reload): `text`, `level`
    DONE = "done"  # a request on the control socket is finished: `level` says how


class Level(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Notice:
    """One thing the supervisor reports."""

    kind: Kind
    text: str = ""
    name: str = ""
    phase: str = ""
    level: Level = Level.INFO

    def line(self) -> bytes:
        text = self.text if len(self.text) <= MAX_TEXT else "..." + self.text[-MAX_TEXT:]
        return (json.dumps({**asdict(self), "text": text}) + "\n").encode()

    @classmethod
    def parse(cls, line: str | bytes) -> Notice:
        raw = json.loads(line)
        return cls(
            kind=Kind(raw["kind"]),
            text=raw.get("text", ""),
            name=raw.get("name", ""),
            phase=raw.get("phase", ""),
            level=Level(raw.get("level", "info")),
        )


class NoticeOutput:
    """Writes notices to a file descriptor while someone reads it, and never blocks on it.

    `ticketing up --detach` stops reading once the stack is ready; a foreground `up` reads
    until it ends, and may be suspended meanwhile: a notice nobody can take is dropped.
    """

    def __init__(self, fd: int | None) -> None:
        self.fd = fd
        if fd is not None:
            os.set_blocking(fd, False)

    def send(self, notice: Notice) -> None:
        if self.fd is None:
            return
        try:
            os.write(self.fd, notice.line())
        except BlockingIOError:
            return
        except OSError:  # the reader is gone
            self.close()

    def close(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None
