"""`ticketing load drop` against a running stack: its verdict, and the reports it writes."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from ticketing_harness.evidence.access import local_access
from ticketing_harness.local.layout import Layout
from ticketing_harness.local.state import running_stack
from ticketing_harness.testing.stacks import RunningStack

pytestmark = [pytest.mark.xdist_group("load-stack"), pytest.mark.timeout(300)]

RULES = 7


def _load(stack: RunningStack, *args: str, out: Path) -> tuple[int, str, dict[str, Any]]:
    result = stack.ticketing("load", *args, "--out", str(out), timeout=240)
    assert "Traceback" not in result.stderr, result.stderr
    verdict = json.loads((out / "verdict.json").read_text())
    return result.returncode, result.stdout + result.stderr, verdict


def test_a_short_drop_passes_its_verdict_and_writes_every_report(
    load_stack: RunningStack, tmp_path: Path
) -> None:
    code, output, verdict = _load(
        load_stack,
        "drop", "--users", "300", "--tickets", "30", "--hot", "3", "--duration", "10s",
        out=tmp_path,
    )  # fmt: skip
    assert code == 0, output
    assert verdict["status"] == "passed"
    assert [check["status"] for check in verdict["checks"]] == ["passed"] * RULES, verdict
    assert "Verdict: every check passed" in (tmp_path / "verdict.txt").read_text()

    run = json.loads((tmp_path / "run.json").read_text())
    assert run["host"] == load_stack.url and run["users"] == 300
    tickets = {ticket["id"] for ticket in run["tickets"]}
    assert len(tickets) == 30 and sum(ticket["hot"] for ticket in run["tickets"]) == 3
    won = run["tally"]["won"]
    assert {ticket for _, ticket in won} == tickets, "every ticket found a buyer"
    assert run["tally"]["outcomes"]["reserve"]["lost"] > len(won), "most buyers lost the race"

    with (tmp_path / "locust_stats.csv").open(newline="") as file:
        rows = {row["Name"]: row for row in csv.DictReader(file)}
    assert {"sign up", "list a ticket", "reserve", "pay"} <= set(rows)
    assert int(rows["Aggregated"]["Request Count"]) > 300
    assert int(rows["Aggregated"]["Failure Count"]) == 0
    assert "<html" in (tmp_path / "locust.html").read_text()
    with Image.open(tmp_path / "chart.png") as chart:
        assert chart.format == "PNG"


def test_a_drop_with_two_worker_processes_judged_through_named_stores(
    load_stack: RunningStack, tmp_path: Path
) -> None:
    """As against a remote host: the target and every store the verdict reads are options."""
    layout = Layout(load_stack.state_dir)
    state = running_stack(layout)
    assert state is not None
    access = local_access(layout)
    assert access.stripe is not None
    stores = [
        f"--database={name}={access.databases[name]}" for name in ("tickets", "orders", "payments")
    ]
    stores += ["--nats", access.nats(), "--stripe-api-base", access.stripe.api_base]
    code, output, verdict = _load(
        load_stack,
        "drop", "--users", "100", "--tickets", "10", "--hot", "2", "--duration", "3s",
        "--workers", "2", "--host", load_stack.url, *stores,
        out=tmp_path,
    )  # fmt: skip
    assert code == 0, output
    assert [check["status"] for check in verdict["checks"]] == ["passed"] * RULES, verdict
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["workers"] == 2
    # Both workers' users reported to the master: its tally holds every sign-up.
    assert run["tally"]["outcomes"]["sign up"]["ok"] >= 100
    assert (tmp_path / "locust-worker-0.log").exists() and (
        tmp_path / "locust-worker-1.log"
    ).exists()
