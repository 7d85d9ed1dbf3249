"""Keeping each process of the stack running: one that ends unasked is started again after a
backoff, one that keeps failing is left stopped, and a restart asked for that fails is
recovered the same way."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ticketing_harness.local.notices import Level, Notice
from ticketing_harness.local.state import ComponentState, Condition
from ticketing_harness.local.supervisor.backoff import Backoff
from ticketing_harness.local.supervisor.launcher import LaunchFailed
from ticketing_harness.local.supervisor.readiness import StartFailed
from ticketing_harness.local.supervisor.startup import Startup
from ticketing_harness.servers.lifecycle import log_tail

_FAILURE_LINES = 20
Tell = Callable[[Notice], None]
Note = Callable[[str, Level, Tell | None], None]


@dataclass
class _Watch:
    """The supervision of one component: one action at a time, and its failures in a row."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    backoff: Backoff = field(default_factory=Backoff)
    recovery: asyncio.Task[None] | None = None

    @property
    def busy(self) -> bool:
        return self.lock.locked() or (self.recovery is not None and not self.recovery.done())


class Recovery:
    """Watches every process `startup` started and brings back what ends; `note` reports."""

    def __init__(self, startup: Startup, note: Note) -> None:
        self.startup = startup
        self.note = note
        self._watches: dict[str, _Watch] = {}

    async def monitor(self) -> None:
        """Notice every process that ended without being asked to, and recover it."""
        while True:
            for component in list(self.startup.state.components):
                watch = self._watch(component.name)
                if watch.busy or component.condition is Condition.FAILED:
                    continue
                if not component.record.alive():
                    watch.recovery = asyncio.create_task(self._recover(component))
            await asyncio.sleep(0.25)

    async def restart(self, name: str, tell: Tell | None = None) -> bool:
        """Stop a component and start it again; False if it does not get ready, and then it is
        recovered as after a crash."""
        component = self.startup.state.component(name)
        if component is None:
            return False
        watch = self._watch(name)
        async with watch.lock:
            watch.backoff.reset()
            component.condition = Condition.RESTARTING
            self.startup.save()
            began = time.monotonic()
            try:
                await self.startup.restart(name)
            except (StartFailed, LaunchFailed) as error:
                self.note(str(error), Level.ERROR, tell)
                component.last_exit = self.startup.exit_code(name, component.record)
                why = f"{name} {_exited(component.last_exit)}"
                watch.recovery = asyncio.create_task(self._again_after(component, why))
                return False
            self._running(component)
            self.note(f"{name} ready in {time.monotonic() - began:.1f}s", Level.INFO, tell)
            return True

    def pending(self) -> list[asyncio.Task[None]]:
        """The recoveries under way."""
        return [w.recovery for w in self._watches.values() if w.recovery and not w.recovery.done()]

    async def _recover(self, component: ComponentState) -> None:
        name = component.name
        async with self._watch(name).lock:
            code = await asyncio.to_thread(self.startup.reported_exit, name, component.record)
            component.last_exit = code
            await self._start_again(component, f"{name} {_exited(code)}")

    async def _again_after(self, component: ComponentState, why: str) -> None:
        async with self._watch(component.name).lock:
            await self._start_again(component, why)

    async def _start_again(self, component: ComponentState, why: str) -> None:
        """After a failure: wait, start, and again while it fails, until the backoff gives up."""
        name = component.name
        backoff = self._watch(name).backoff
        while True:
            delay = backoff.failed(time.monotonic())
            if delay is None:
                self._give_up(component, why, backoff.failures)
                return
            component.condition = Condition.BACKOFF
            self.startup.save()
            self.note(f"{why}; starting it again in {delay:g}s", Level.WARNING, None)
            await asyncio.sleep(delay)
            component.restarts += 1
            began = time.monotonic()
            try:
                await self.startup.start(name)
            except (StartFailed, LaunchFailed):
                component.last_exit = self.startup.exit_code(name, component.record)
                why = f"{name} {_exited(component.last_exit)} while starting again"
                continue
            self._running(component)
            self.note(f"{name} is back, ready in {time.monotonic() - began:.1f}s", Level.INFO, None)
            return

    def _give_up(self, component: ComponentState, why: str, failures: int) -> None:
        name = component.name
        component.condition = Condition.FAILED
        component.failure = log_tail(Path(component.log), _FAILURE_LINES)
        if name in self.startup.instances:
            self.startup.listeners.close(name)
        self.startup.save()
        self.note(
            f"{why}; it keeps failing ({failures} times in a row), so it stays "
            f"stopped until its code changes or `ticketing restart {name}`. "
            f"Last lines of {component.log}:\n{component.failure}",
            Level.ERROR,
            None,
        )

    def _running(self, component: ComponentState) -> None:
        component.condition = Condition.RUNNING
        component.failure = ""
        self._watch(component.name).backoff.ready(time.monotonic())
        self.startup.save()

    def _watch(self, name: str) -> _Watch:
        return self._watches.setdefault(name, _Watch())


def _exited(code: int | None) -> str:
    """How a process ended, as the end of a sentence."""
    if code is None:
        return "exited"
    if code < 0:
        return f"was killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"
