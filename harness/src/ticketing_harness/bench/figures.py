"""The figures a benchmark reports: latency percentiles, in milliseconds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of `values` (0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil without floats drifting
    return ordered[int(rank) - 1]


@dataclass(frozen=True)
class Latencies:
    """p50, p99 and the maximum of a set of durations, in milliseconds."""

    count: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latencies:
        return cls(
            count=len(seconds),
            p50_ms=round(percentile(seconds, 0.50) * 1000, 1),
            p99_ms=round(percentile(seconds, 0.99) * 1000, 1),
            max_ms=round(max(seconds, default=0.0) * 1000, 1),
        )

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    def __str__(self) -> str:
        return f"p50 {self.p50_ms:,.0f} ms, p99 {self.p99_ms:,.0f} ms"
