"""The benchmark report: percentiles, the markdown table, the JSON and the chart it writes."""

from __future__ import annotations

import json
from pathlib import Path

from ticketing_harness.bench.figures import Latencies, percentile
from ticketing_harness.bench.report import markdown, save

RESULTS = {
    "herds": [
        {
            "buyers": 1000,
            "winners": 1,
            "by_status": {"201": 1, "400": 999},
            "latency": Latencies.of([0.1, 0.2, 0.3]).as_dict(),
        }
    ],
    "consumers": {"create": 2100},
    "sweep": [
        {"concurrency": 10, "per_second": 90.0, "p99_ms": 150.0},
        {"concurrency": 100, "per_second": 120.0, "p99_ms": 900.0},
    ],
}


def test_percentiles_are_nearest_rank() -> None:
    values = [n / 100 for n in range(1, 101)]
    assert percentile(values, 0.5) == 0.5
    assert percentile(values, 0.99) == 0.99
    assert percentile([], 0.99) == 0.0
    assert Latencies.of([0.1, 0.2, 0.3]).p50_ms == 200.0


def test_every_figure_gets_a_row_of_the_table() -> None:
    table = markdown(RESULTS)
    assert "| herd: 1,000 buyers, one ticket | 1 winner(s)" in table
    assert "| consumer `create` | 2,100 events/s |" in table
    assert "| reservations, 100 buyers at once | 120/s, p99 900 ms |" in table


def test_results_are_kept_as_json_markdown_and_a_chart(tmp_path: Path) -> None:
    written = save(RESULTS, tmp_path / "results", "2026-01-01T0000")
    assert [path.suffix for path in written] == [".json", ".md", ".png"]
    assert json.loads(written[0].read_text()) == RESULTS
    assert written[2].read_bytes().startswith(b"\x89PNG")
