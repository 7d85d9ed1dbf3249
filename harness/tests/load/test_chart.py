"""The chart is drawn from Locust's history CSV: rates from running counts, a PNG on disk."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from ticketing_harness.load.chart import draw, history, per_second

HEADER = (
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,"
    "99.9%,99.99%,100%,Total Request Count,Total Failure Count\n"
)


def _row(at: int, users: int, requests: int, failures: int, p50: str) -> str:
    percentiles = ",".join([p50] * 11)
    return f"{at},{users},,Aggregated,0,0,{percentiles},{requests},{failures}\n"


def test_the_chart_shows_rates_from_running_counts(tmp_path: Path) -> None:
    csv = tmp_path / "locust_stats_history.csv"
    rows = [_row(100, 0, 0, 0, "N/A"), _row(101, 50, 120, 0, "40"), _row(103, 50, 320, 4, "90")]
    csv.write_text(HEADER + "".join(rows) + "101,50,POST,reserve,0,0,1,1,1,1,1,1,1,1,1,1,1,9,0\n")
    samples = history(csv)
    assert [s.requests for s in samples] == [0, 120, 320]
    assert per_second(samples, lambda s: s.requests) == [0.0, 120.0, 100.0]
    assert per_second(samples, lambda s: s.failures) == [0.0, 0.0, 2.0]
    assert samples[0].latency_ms == {} and samples[2].latency_ms["95%"] == 90
    png = tmp_path / "chart.png"
    draw(samples, png, title="drop", opened_at=101.5)
    with Image.open(png) as image:
        assert image.format == "PNG" and image.width > 500
