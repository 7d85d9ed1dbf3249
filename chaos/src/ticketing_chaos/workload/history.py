"""The history of a workload: every request a simulated user made and the answer it got."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass
class Operation:
    """One HTTP request of the workload and its answer.

    `status` is None when no answer came (a transport error, `error` says which): the request
    may or may not have taken effect. Times are seconds since the workload started.
    """

    index: int
    actor: str
    op: str
    method: str
    path: str
    request: Any
    invoked: float
    completed: float | None = None
    status: int | None = None
    body: Any = None
    headers: dict[str, str] | None = None
    error: str | None = None

    def mentions(self, ids: set[str]) -> bool:
        """Whether the request or its answer names any of `ids`."""
        text = json.dumps([self.path, self.request, self.body])
        return any(entity in text for entity in ids)

    def describe(self) -> str:
        """Who asked what, and the answer."""
        answer = self.error if self.status is None else f"{self.status} {_short(self.body)}"
        request = "" if self.request is None else f" {_short(self.request)}"
        return f"{self.actor:<5} {self.method} {self.path}{request} -> {answer}"

    def line(self) -> str:
        """One readable line: when, then who asked what and the answer."""
        return f"{self.invoked:8.3f}s {self.describe()}"


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 3] + "..."


class History:
    """Every operation, in the order they were invoked, kept in memory and as JSON lines."""

    def __init__(self, path: Path | None = None) -> None:
        # Wall-clock, so that faults, database audit rows and requests share one time line.
        self.epoch = time.time()
        self.operations: list[Operation] = []
        self.path = path

    def now(self) -> float:
        return time.time() - self.epoch

    def invoke(self, actor: str, op: str, method: str, path: str, request: Any) -> Operation:
        operation = Operation(len(self.operations), actor, op, method, path, request, self.now())
        self.operations.append(operation)
        return operation

    def complete(self, operation: Operation) -> None:
        operation.completed = self.now()
        if self.path is not None:
            with self.path.open("a") as file:
                file.write(json.dumps(asdict(operation)) + "\n")

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.operations)

    def __len__(self) -> int:
        return len(self.operations)
