"""What a process's py-spy samples say: the functions, packages and parts its CPU went to."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

# By cumulative time, the frames nearly every sample is under (the process's start-up and
# its event loop) say nothing: frames under this share of the samples or more are left out.
ROOT_SHARE = 0.85

# Parts of a service process, each named by the functions its work runs under (py-spy names
# a frame `function (package/module.py)`). A sample counts in a part when any is on its stack.
PARTS: Mapping[str, Sequence[str]] = {
    "HTTP requests (uvicorn to the response)": ("RequestResponseCycle.run_asgi",),
    "consumers (fetch, apply, ack)": ("Consumer.run",),
    "outbox relay": ("OutboxRelay.run",),
    "expiry jobs (arq worker)": ("Worker.async_run",),
    "NATS client (reading, flushing)": ("Client._read_loop", "Client._flusher"),
    "SQL statements (asyncpg)": ("Connection.execute", "Connection._execute"),
    "pool acquire and release (asyncpg)": (
        "PoolAcquireContext.__aenter__",
        "PoolAcquireContext.__aexit__",
    ),
    "log lines": ("Logger._log",),
    "JSON Schema checks": ("Catalog.validate_envelope", "Envelope.from_bytes"),
}
# A sample whose top frame is the event loop's own runs C code: uvloop, asyncpg's protocol.
EVENT_LOOP = "Runner.run (asyncio/runners.py)"


@dataclass(frozen=True)
class FrameShare:
    """One function and the fraction of a process's samples it was in: on top, or anywhere."""

    frame: str
    self_share: float
    total_share: float


@dataclass(frozen=True)
class Frames:
    """A process's samples: each stack (root first) and how often it was seen."""

    stacks: Mapping[tuple[str, ...], int]

    @classmethod
    def of_folded(cls, text: str) -> Frames:
        """Read collapsed stacks: `root;...;leaf count` per line."""
        stacks: Counter[tuple[str, ...]] = Counter()
        for line in text.splitlines():
            stack, _, count = line.rpartition(" ")
            if stack and count.isdigit():
                stacks[tuple(stack.split(";"))] += int(count)
        return cls(stacks)

    @cached_property
    def samples(self) -> int:
        return sum(self.stacks.values())

    @cached_property
    def self_counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for stack, count in self.stacks.items():
            counts[stack[-1]] += count
        return counts

    @cached_property
    def total_counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for stack, count in self.stacks.items():
            for frame in set(stack):  # a recursive frame counts once per sample
                counts[frame] += count
        return counts

    def top(self, count: int, *, by_total: bool = False) -> list[FrameShare]:
        """The `count` functions with the most samples on top (or, `by_total`, anywhere,
        without the frames over `ROOT_SHARE`)."""
        counts: Mapping[str, int] = self.self_counts
        if by_total:
            floor = ROOT_SHARE * self.samples
            counts = {f: n for f, n in self.total_counts.items() if n < floor}
        return [
            FrameShare(
                frame,
                self.self_counts.get(frame, 0) / self.samples,
                self.total_counts[frame] / self.samples,
            )
            for frame in sorted(counts, key=counts.__getitem__, reverse=True)[:count]
        ]

    def by_package(self) -> dict[str, float]:
        """The share of samples whose top frame is in each package (the event loop apart)."""
        counts: Counter[str] = Counter()
        for frame, count in self.self_counts.items():
            counts[_package(frame)] += count
        return {package: n / self.samples for package, n in counts.most_common()}

    def parts(self) -> dict[str, float]:
        """The share of samples under each of `PARTS` (a sample may be under several)."""
        shares = {
            part: sum(
                count
                for stack, count in self.stacks.items()
                if any(frame.startswith(f"{name} (") for frame in stack for name in names)
            )
            / self.samples
            for part, names in PARTS.items()
        }
        return {part: share for part, share in shares.items() if share}


def _package(frame: str) -> str:
    """`asyncpg` for `Connection.execute (asyncpg/connection.py)`; the event loop by name."""
    if frame == EVENT_LOOP:
        return "C code under the event loop (uvloop, asyncpg's protocol, sockets)"
    where = frame.rpartition(" (")[2].rstrip(")")
    return where.split("/", 1)[0] if "/" in where else where.removesuffix(".py")
