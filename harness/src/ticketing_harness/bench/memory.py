"""What each process of a running stack uses: PSS and RSS of the services (now, or the peak
while busy), and the CPU time of every component, its child processes included."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection, Iterator
from pathlib import Path

import psutil

from ticketing_harness.components import DATABASES, SERVICE_NAMES

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


def _families(state_dir: Path) -> Iterator[tuple[str, list[psutil.Process]]]:
    """(component, its process and their children) for every process the state file lists."""
    state = json.loads((state_dir / "state.json").read_text())
    for component in state["components"]:
        try:
            process = psutil.Process(component["pid"])
            yield component["name"], [process, *process.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue


def cpu_seconds(state_dir: Path, leave_out: Collection[int] = ()) -> dict[str, float]:
    """{component: CPU seconds so far} for every process the state file lists, with children
    (PostgreSQL's backends, nginx's worker), but for the processes `leave_out` names."""
    used: dict[str, float] = {}
    for name, family in _families(state_dir):
        used[name] = sum(_seconds(member) for member in family if member.pid not in leave_out)
    return used


def _seconds(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system + times.children_user + times.children_system


# What `process_counters` counts, in this order.
COUNTERS = ("user_ms", "system_ms", "read_calls", "write_calls", "wakeups")


def process_counters(
    state_dir: Path, bench_backends: Collection[int] = ()
) -> dict[str, dict[str, float]]:
    """{component: {counter: so far}} with children: CPU in user space and in the kernel, read
    and write system calls, and voluntary context switches (each time it waited and woke).

    PostgreSQL's backends are also counted by database (`postgres orders`, ...; the bench's
    own, `bench_backends`, as `postgres bench`), the rest of the server as `postgres server`.
    """
    counted: dict[str, dict[str, float]] = {}
    for name, family in _families(state_dir):
        for member in family:
            values = _counters(member)
            backend = _backend(name, member, bench_backends)
            for key in (name,) if backend is None else (name, backend):
                totals = counted.setdefault(key, dict.fromkeys(COUNTERS, 0.0))
                for counter, value in zip(COUNTERS, values, strict=True):
                    totals[counter] += value
    return counted


def _counters(process: psutil.Process) -> tuple[float, ...]:
    try:
        with process.oneshot():
            times, io = process.cpu_times(), process.io_counters()
            switches = process.num_ctx_switches()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return (0.0,) * len(COUNTERS)
    return (
        (times.user + times.children_user) * 1000,
        (times.system + times.children_system) * 1000,
        io.read_count,
        io.write_count,
        switches.voluntary,
    )


def _backend(component: str, process: psutil.Process, bench: Collection[int]) -> str | None:
    """`postgres <database>` for a PostgreSQL backend, titled `postgres: user database ...`."""
    if component != "postgres":
        return None
    if process.pid in bench:
        return "postgres bench"
    try:
        title = " ".join(process.cmdline()).split()
    except psutil.NoSuchProcess:
        return None
    if len(title) >= 4 and title[0] == "postgres:" and title[2] in DATABASES:
        return f"postgres {title[2]}"
    return "postgres server"
