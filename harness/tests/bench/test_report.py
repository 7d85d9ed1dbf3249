"""The benchmark report: percentiles, the markdown table, the JSON and the chart it writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ticketing_harness.bench.figures import Latencies, percentile
from ticketing_harness.bench.frames import Frames
from ticketing_harness.bench.profiling import database_figures, process_figures
from ticketing_harness.bench.report import markdown, save
from ticketing_harness.bench.statements import Statement, Statements

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


def _profile() -> dict[str, Any]:
    folded = (
        "<module> (orders/__main__.py);Runner.run (asyncio/runners.py) 30\n"
        "<module> (orders/__main__.py);Logger._log (logging/__init__.py) 10\n"
    )
    insert = "INSERT INTO orders VALUES ($1)"
    return {
        "reservations": 1000,
        "counters": {
            "orders": {
                "user_ms": 1.2,
                "system_ms": 0.3,
                "read_calls": 11,
                "write_calls": 14,
                "wakeups": 1,
            }
        },
        "processes": {"orders": process_figures(Frames.of_folded(folded), 1.5)},
        "databases": database_figures(
            Statements({("orders", insert): Statement("orders", insert, 1000, 50.0)}), 1 / 1000
        ),
        "nats": {
            "sent": {"orders": 2.1},
            "received": {},
            "delivered": {},
            "acked": {},
            "stored": {},
        },
        "redis": {"zadd": 1.0, "exec": 1.0},
        "log_lines": {"orders": 2.0},
        "flame_graphs": ["bench/results/x-orders.folded"],
    }


def test_a_profile_adds_its_totals_to_the_table_and_a_page_of_its_own(tmp_path: Path) -> None:
    results = {**RESULTS, "profile": _profile()}
    table = markdown(results)
    assert "| database statements per reservation | orders 1 in 1 round trips |" in table
    assert "| Redis commands per reservation | 2.00 |" in table
    written = save(results, tmp_path, "2026-01-01T0000")
    page = written[-1].read_text()
    assert written[-1].name == "2026-01-01T0000-profile.md"
    assert "## orders: 1.5 ms of CPU per reservation (40 samples)" in page
    assert "| log lines | 25.0% | 0.375 |" in page
    assert "| `INSERT INTO orders VALUES ($1)` | 1 | 0.05 |" in page
