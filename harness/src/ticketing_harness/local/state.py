"""The state file of a running stack: what runs where, so other commands can find and stop it."""

from __future__ import annotations

import json
import os
import signal
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from ticketing_harness.local.layout import Layout
from ticketing_harness.servers.lifecycle import ProcessRecord


class Condition(StrEnum):
    """What the supervisor is doing with a process."""

    RUNNING = "running"
    RESTARTING = "restarting"  # stopped on purpose (reload, `ticketing restart`), starting again
    BACKOFF = "backoff"  # exited unexpectedly, waiting before it starts again
    FAILED = "failed"  # kept failing: no more restarts until its code changes or a restart


@dataclass
class ComponentState:
    """One process of the stack, and how its supervision went."""

    name: str
    pid: int
    create_time: float
    port: int
    log: str
    stop_signal: str = "SIGTERM"
    ready_url: str | None = None
    condition: Condition = Condition.RUNNING
    restarts: int = 0  # after unexpected exits
    last_exit: int | None = None  # its exit status; -N: killed by signal N
    failure: str = ""  # the last lines of its log once it is marked failed

    @property
    def record(self) -> ProcessRecord:
        return ProcessRecord(self.pid, self.create_time)

    @property
    def signal(self) -> signal.Signals:
        return signal.Signals[self.stop_signal]


@dataclass
class StackState:
    """The whole stack: the process that started it, its URL and its components in start order."""

    owner_pid: int
    owner_create_time: float
    url: str
    status: str = "starting"
    components: list[ComponentState] = field(default_factory=list)
    reload: bool = False
    replicas: dict[str, int] = field(default_factory=dict)
    reload_error: str = ""  # why the last change did not load; the running code stays

    @property
    def owner(self) -> ProcessRecord:
        return ProcessRecord(self.owner_pid, self.owner_create_time)

    def running(self) -> list[ComponentState]:
        return [component for component in self.components if component.record.alive()]

    def save(self, path: Path) -> None:
        """Write atomically, so a reader never sees half a file."""
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(asdict(self), indent=2))
        os.replace(partial, path)

    @classmethod
    def load(cls, path: Path) -> StackState | None:
        try:
            raw = json.loads(path.read_text())
        except FileNotFoundError:
            return None
        components = [
            ComponentState(**{**item, "condition": Condition(item.get("condition", "running"))})
            for item in raw.pop("components")
        ]
        return cls(**raw, components=components)

    def component(self, name: str) -> ComponentState | None:
        return next((c for c in self.components if c.name == name), None)


def running_stack(layout: Layout) -> StackState | None:
    """The stack recorded in the state directory, if any of its processes still runs."""
    state = StackState.load(layout.state_file)
    if state is None:
        return None
    if state.owner.alive() and state.owner_pid != os.getpid():
        return state
    return state if state.running() else None
