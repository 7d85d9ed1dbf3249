"""What each process of a running stack uses: PSS and RSS of the services (now, or the peak
while busy), and the CPU time of every component, its child processes included."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import psutil

from ticketing_harness.components import SERVICE_NAMES

MIB = 1024 * 1024
SAMPLE_SECONDS = 0.5

Figures = dict[str, dict[str, float]]


def service_pids(state_dir: Path) -> dict[str, int]:
    """{service: pid} for every service the stack's state file lists."""
    state = json.loads((state_dir / "state.json").read_text())
    return {c["name"]: c["pid"] for c in state["components"] if c["name"] in SERVICE_NAMES}


def service_memory(state_dir: Path) -> Figures:
    """{service: {"pss_mib", "rss_mib"}} of every service, now."""
    figures: Figures = {}
    for service, pid in service_pids(state_dir).items():
        info = psutil.Process(pid).memory_full_info()
        figures[service] = {
            "pss_mib": round(info.pss / MIB, 1),
            "rss_mib": round(info.rss / MIB, 1),
        }
    return figures


class MemoryPeak:
    """The highest PSS and RSS of each service, sampled while the block runs."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.figures: Figures = {}
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> MemoryPeak:
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._take()

    def _take(self) -> None:
        for service, now in service_memory(self.state_dir).items():
            peak = self.figures.setdefault(service, now)
            for key, value in now.items():
                peak[key] = max(peak[key], value)

    async def _sample(self) -> None:
        while True:
            self._take()
            await asyncio.sleep(SAMPLE_SECONDS)


def cpu_seconds(state_dir: Path) -> dict[str, float]:
    """{component: CPU seconds so far} for every process the state file lists, with children
    (PostgreSQL's backends, nginx's worker)."""
    state = json.loads((state_dir / "state.json").read_text())
    used: dict[str, float] = {}
    for component in state["components"]:
        try:
            process = psutil.Process(component["pid"])
            family = [process, *process.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        total = 0.0
        for member in family:
            try:
                times = member.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system + times.children_user + times.children_system
        used[component["name"]] = total
    return used
