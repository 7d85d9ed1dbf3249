"""`ticketing chaos`: what it lists, and one clear line for whatever it is given wrong."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ticketing_common.faults.canaries import Canary
from ticketing_harness.testing.stacks import run_ticketing as ticketing


def _error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    return line


def test_canaries_are_listed_one_per_line_name_first() -> None:
    result = ticketing("chaos", "canaries")
    assert result.returncode == 0, result.stderr
    names = [line.split()[0] for line in result.stdout.strip().splitlines()]
    assert names == [canary.value for canary in Canary]


def test_scenarios_are_listed_each_with_what_it_stresses() -> None:
    result = ticketing("chaos", "scenarios")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == [
        "mixed",
        "versions",
        "crowds",
        "expiries",
        "crashes",
        "smoke",
    ]
    assert all(len(line.split()) > 4 for line in lines)


def test_an_unknown_scenario_is_one_line_naming_the_known_ones() -> None:
    line = _error(ticketing("chaos", "run", "--scenario", "nope"))
    known = "mixed, versions, crowds, expiries, crashes, smoke"
    assert line == f"error: no scenario 'nope'; choose one of {known}"


def test_an_unknown_canary_is_one_line_naming_the_known_ones() -> None:
    line = _error(ticketing("chaos", "run", "--canary", "seatbelt"))
    assert line.startswith("error: no canary 'seatbelt'; choose one of next-version-rule, ")


def test_a_plan_that_is_not_a_plan_says_what_to_pass(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text('{"seed": "many"}')
    line = _error(ticketing("chaos", "run", "--plan", str(tmp_path / "plan.json")))
    assert line.startswith(f"error: {tmp_path / 'plan.json'} is not a fault plan (")
    assert line.endswith("pass a run's plan.json")
    missing = _error(ticketing("chaos", "run", "--plan", str(tmp_path / "none.json")))
    assert (
        missing
        == f"error: cannot read the fault plan {tmp_path / 'none.json'}: No such file or directory"
    )
