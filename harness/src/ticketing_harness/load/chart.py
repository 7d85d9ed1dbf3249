"""A PNG of throughput, latency percentiles and errors over time, from Locust's history CSV."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window

from matplotlib import pyplot

PERCENTILES = ("50%", "95%", "99%")


@dataclass(frozen=True)
class Sample:
    """One row of the aggregated history, about once a second."""

    at: float
    users: int
    requests: int  # so far
    failures: int  # so far
    latency_ms: dict[str, float]  # Locust's percentiles over the last 10 seconds with requests


def history(path: Path) -> list[Sample]:
    """The aggregated rows of a `locust_stats_history.csv` (percentiles are "N/A" until known)."""
    with path.open(newline="") as file:
        rows = [row for row in csv.DictReader(file) if row["Name"] == "Aggregated"]
    return [
        Sample(
            at=float(row["Timestamp"]),
            users=int(row["User Count"]),
            requests=int(row["Total Request Count"]),
            failures=int(row["Total Failure Count"]),
            latency_ms={p: float(row[p]) for p in PERCENTILES if row[p] not in ("", "N/A")},
        )
        for row in rows
    ]


def per_second(samples: list[Sample], count: Callable[[Sample], int]) -> list[float]:
    """The rate of a running count between one sample and the one before it."""
    rates = [0.0]
    for before, after in itertools.pairwise(samples):
        rates.append((count(after) - count(before)) / max(after.at - before.at, 1e-9))
    return rates[: len(samples)]


def draw(samples: list[Sample], path: Path, *, title: str, opened_at: float | None) -> None:
    """Three panels sharing the time axis; a line marks the moment every user was in."""
    start = samples[0].at if samples else 0.0
    seconds = [sample.at - start for sample in samples]
    figure, (load, latency, errors) = pyplot.subplots(3, 1, sharex=True, figsize=(10, 8))
    figure.suptitle(title)
    load.plot(seconds, per_second(samples, lambda s: s.requests), label="requests/s")
    load.set_ylabel("requests/s")
    users = load.twinx()
    users.plot(seconds, [s.users for s in samples], color="grey", linestyle=":")
    users.set_ylabel("users (dotted)")
    for percentile in PERCENTILES:
        points = [
            (t, s.latency_ms[percentile])
            for t, s in zip(seconds, samples, strict=True)
            if percentile in s.latency_ms
        ]
        latency.plot([t for t, _ in points], [ms for _, ms in points], label=f"p{percentile[:-1]}")
    latency.set_ylabel("latency, last 10 s (ms)")
    latency.legend(loc="upper left")
    errors.plot(seconds, per_second(samples, lambda s: s.failures), color="red")
    errors.set_ylabel("failures/s")
    errors.set_xlabel("seconds since the start")
    if opened_at is not None and samples:
        for axes in (load, latency, errors):
            axes.axvline(opened_at - start, color="black", linewidth=0.8, linestyle="--")
        load.annotate(
            "everyone in", (opened_at - start, 0), xytext=(4, 4), textcoords="offset points"
        )
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
