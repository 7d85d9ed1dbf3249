"""The runner's side of the faults: restarting the broker on schedule, and bringing back each
service a fault killed (or that died on its own, which the run reports)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from ticketing_chaos.live.stack import ChaosStack
from ticketing_common.faults.plan import FaultKind, FaultPlan
from ticketing_common.faults.record import EventRef, FaultLog, read_faults
from ticketing_common.tasks import cancel_until_done
from ticketing_harness.components import SERVICE_NAMES
from ticketing_harness.errors import HarnessError

_WATCH_INTERVAL = 0.1
UNEXPECTED = "exited unexpectedly"


@dataclass
class Outage:
    """A component that was down: from when, until when, and why (epoch seconds)."""

    component: str
    down_at: float
    up_at: float | None
    cause: str
    restart_failed: str | None = None


class Nemesis:
    """Runs the plan's runner faults and restarts killed services until stopped."""

    def __init__(self, stack: ChaosStack, plan: FaultPlan) -> None:
        self.stack = stack
        self.plan = plan
        self.log = FaultLog(plan.log_dir)
        self.outages: list[Outage] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._restarting: set[str] = set()

    def start(self) -> None:
        """Start watching the services and schedule the broker restarts, from now."""
        self._tasks.append(asyncio.create_task(self._watch()))
        for rule in self.plan.rules:
            if rule.kind is FaultKind.RESTART_BROKER:
                for delay in rule.at:
                    self._tasks.append(asyncio.create_task(self._restart_broker(rule.id, delay)))

    async def stop(self) -> None:
        """Let restarts in progress finish (a service left down would hold the drain up), then
        stop watching."""
        restarts = [t for t in self._tasks[1:] if not t.done()]
        if restarts:
            await asyncio.wait(restarts, timeout=self.stack.options.timeout)
        await cancel_until_done(self._tasks)
        self._tasks.clear()

    @property
    def troubles(self) -> list[str]:
        """What went wrong besides the planned faults: unexpected exits, failed restarts."""
        return [
            f"{o.component} {o.cause}"
            + (f"; restart failed: {o.restart_failed}" if o.restart_failed else "")
            for o in self.outages
            if o.cause == UNEXPECTED or o.restart_failed
        ]

    async def _restart_broker(self, rule: str, delay: float) -> None:
        await asyncio.sleep(delay)
        self.log.record(FaultKind.RESTART_BROKER, rule, "", EventRef())
        await self._bring_back("nats", time.time(), f"{rule}: restart-broker", kill=True)

    async def _watch(self) -> None:
        while True:
            for name, record in self.stack.processes().items():
                if name in SERVICE_NAMES and name not in self._restarting and not record.alive():
                    self._restarting.add(name)
                    cause, down_at = self._cause(record.pid)
                    self._tasks.append(asyncio.create_task(self._bring_back(name, down_at, cause)))
            await asyncio.sleep(_WATCH_INTERVAL)

    def _cause(self, pid: int) -> tuple[str, float]:
        """A kill the plan made (the killed process recorded it), or an unexpected exit."""
        kills = [
            fault
            for fault in read_faults(self.plan.log_dir)
            if fault.kind is FaultKind.KILL and fault.pid == pid
        ]
        if kills:
            return f"{kills[0].rule}: kill", kills[0].at
        return UNEXPECTED, time.time()

    async def _bring_back(self, name: str, down_at: float, cause: str, kill: bool = False) -> None:
        outage = Outage(name, down_at, None, cause)
        self.outages.append(outage)
        self._restarting.add(name)
        try:
            await self.stack.restart(name, kill=kill)
        except HarnessError as exc:
            outage.restart_failed = str(exc)
            return
        outage.up_at = time.time()
        self._restarting.discard(name)
