"""The smoke scenario through the real command: its own stack, every kind of message fault,
a service killed between commit and ack and brought back, and every invariant holding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ticketing_harness.testing.stacks import run_ticketing

pytestmark = pytest.mark.timeout(300)


def test_the_smoke_scenario_holds_every_invariant_under_its_faults(out_dir: Path) -> None:
    args = ["--scenario", "smoke", "--seed", "7", "--no-shrink", "--json", "--out", str(out_dir)]
    result = run_ticketing("chaos", "run", *args, timeout=280)
    assert result.stdout.startswith("{"), result.stderr
    report = json.loads(result.stdout)
    failed = [i for i in report["invariants"] if not i["ok"]]
    assert result.returncode == 0, json.dumps(failed + report["troubles"], indent=2)
    assert report == json.loads((out_dir / "report.json").read_text())
    assert [i["id"] for i in report["invariants"]] == [f"I{n}" for n in range(1, 9)]
    kinds = set(report["faults"]["by_kind"])
    assert {"delay", "reorder", "duplicate", "duplicate-fresh-id", "drop-delivery"} <= kinds
    assert {"drop-publish", "lose-puback"} <= kinds
    assert [o["cause"] for o in report["outages"]] == ["kill: kill"]
    assert report["outages"][0]["up_at"] is not None
    requests = report["operations"]["by_request"]
    assert requests["place_order"]["201"] > 0 and requests["list_ticket"]["201"] > 0
    history = (out_dir / "run" / "history.jsonl").read_text().splitlines()
    assert len(history) == report["operations"]["total"]
