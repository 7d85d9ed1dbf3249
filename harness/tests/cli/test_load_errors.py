"""`ticketing load` refuses bad input with one line saying what to do, before loading anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketing_harness.load.record import RunRecord
from ticketing_harness.ports import free_port
from ticketing_harness.testing.stacks import run_ticketing as ticketing

REMOTE = ["--host", "http://127.0.0.1:9"]  # never reached: the options are refused first


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["drop"], "no stack is running"),
        (["drop", *REMOTE, "--duration", "soon"], "--duration 'soon'"),
        (["drop", *REMOTE, "--tickets", "2", "--hot", "3"], "--hot 3 is more than --tickets 2"),
        (["browse", *REMOTE, "--database", "users=postgresql://x"], "give SERVICE=DSN"),
        (
            ["steady", *REMOTE, "--stripe-api-base", REMOTE[1], "--stripe-api-key", "sk_live_x"],
            "test-mode key",
        ),
    ],
)
def test_bad_load_options_get_one_clear_line(
    args: list[str], message: str, state_dir: Path
) -> None:
    result = ticketing("load", *args, "--state-dir", str(state_dir))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and message in line, line


def test_an_unknown_scenario_is_refused() -> None:
    result = ticketing("load", "locustfile", "stampede")
    assert result.returncode == 1
    assert "choose one of drop, browse, steady" in result.stderr


def test_judging_a_directory_without_a_run_says_so(state_dir: Path, tmp_path: Path) -> None:
    result = ticketing("load", "verdict", str(tmp_path), "--state-dir", str(state_dir))
    assert result.returncode == 1
    assert "holds no run record (run.json)" in result.stderr


def test_locustfile_prints_the_scenarios_path() -> None:
    result = ticketing("load", "locustfile", "drop")
    assert result.returncode == 0
    path = Path(result.stdout.strip())
    assert path.name == "drop.py" and "class Buyer" in path.read_text()


def test_a_store_the_verdict_cannot_reach_is_named(state_dir: Path, tmp_path: Path) -> None:
    RunRecord("drop", "r1", "http://127.0.0.1:9", users=1).save(tmp_path / "run.json")
    nats = f"nats://127.0.0.1:{free_port()}"
    result = ticketing(
        "load", "verdict", str(tmp_path), "--nats", nats, "--state-dir", str(state_dir)
    )
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert f"cannot reach NATS at {nats}" in line and "ticketing load verdict" in line
