"""Delta debugging of a fault plan: the fewest rules that still make the run fail.

Zeller's ddmin over the plan's rules: try the run with no fault at all, then with each
chunk alone, then without each chunk, halving the chunks until no single rule can go.
Each try is a whole run with the same seed; a concurrent system does not replay exactly,
so a try that passes by luck keeps a rule that was not needed: the result is a plan that
failed, never one that is claimed minimal beyond what was tried. A budget caps the runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Shrunk(Generic[T]):
    """The smallest failing subset found, and what it cost."""

    items: list[T]
    runs: int = 0
    exhausted: bool = False
    tried: list[tuple[int, bool]] = field(default_factory=list)


async def ddmin(
    items: Sequence[T], fails: Callable[[list[T]], Awaitable[bool]], budget: int
) -> Shrunk[T]:
    """Shrink `items` (known to fail) while `fails` says a subset still fails."""
    result = Shrunk(list(items))

    async def attempt(subset: list[T]) -> bool:
        if result.runs >= budget:
            result.exhausted = True
            return False
        result.runs += 1
        failed = await fails(subset)
        result.tried.append((len(subset), failed))
        return failed

    if result.items and await attempt([]):
        result.items = []
        return result
    chunks = 2
    while len(result.items) >= 2 and not result.exhausted:
        parts = _split(result.items, chunks)
        smaller = await _first_failing(parts, attempt)
        if smaller is not None:
            result.items, chunks = smaller, 2
            continue
        complements = [[x for x in result.items if x not in part] for part in parts]
        smaller = await _first_failing(complements if chunks > 2 else [], attempt)
        if smaller is not None:
            result.items, chunks = smaller, max(chunks - 1, 2)
            continue
        if chunks >= len(result.items):
            break
        chunks = min(len(result.items), chunks * 2)
    return result


async def _first_failing(
    candidates: list[list[T]], attempt: Callable[[list[T]], Awaitable[bool]]
) -> list[T] | None:
    for candidate in candidates:
        if await attempt(candidate):
            return candidate
    return None


def _split(items: list[T], chunks: int) -> list[list[T]]:
    size, extra = divmod(len(items), chunks)
    parts, start = [], 0
    for n in range(chunks):
        end = start + size + (1 if n < extra else 0)
        parts.append(items[start:end])
        start = end
    return [part for part in parts if part]
