"""The files a run writes in its report directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ReportFiles:
    """Locust's CSV, HTML and log; the run record; the verdict as text and JSON; the chart."""

    directory: Path

    @property
    def csv_prefix(self) -> Path:
        return self.directory / "locust"

    @property
    def history(self) -> Path:
        return self.directory / "locust_stats_history.csv"

    @property
    def html(self) -> Path:
        return self.directory / "locust.html"

    @property
    def log(self) -> Path:
        return self.directory / "locust.log"

    def worker_log(self, index: int) -> Path:
        return self.directory / f"locust-worker-{index}.log"

    @property
    def run(self) -> Path:
        return self.directory / "run.json"

    @property
    def verdict_json(self) -> Path:
        return self.directory / "verdict.json"

    @property
    def verdict_text(self) -> Path:
        return self.directory / "verdict.txt"

    @property
    def chart(self) -> Path:
        return self.directory / "chart.png"
