"""`ticketing chaos explore`: a disabled safeguard is found, its shrunk program printed, and
the saved program fails again on replay, and passes with the safeguard on."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketing_harness.testing.stacks import run_ticketing

pytestmark = pytest.mark.timeout(600)
# Finding the failure and shrinking it is the long part: minutes on a busy machine.
EXPLORE_SECONDS = 400


def test_a_failure_prints_a_program_that_replays(out_dir: Path) -> None:
    canary = ("--canary", "processed-event-record")
    found = run_ticketing(
        "chaos", "explore", "--examples", "50", "--seed", "3", *canary, timeout=EXPLORE_SECONDS
    )
    assert found.returncode == 1, found.stdout + found.stderr
    assert "FAILED I6: " in found.stdout
    program = found.stdout[found.stdout.index("state = Marketplace()") :]
    assert program.rstrip().endswith("state.teardown()")
    (out_dir / "program.py").write_text(program)
    again = run_ticketing("chaos", "explore", "--replay", str(out_dir / "program.py"), *canary)
    assert again.returncode == 1 and "FAILED again: I6: " in again.stdout
    safe = run_ticketing("chaos", "explore", "--replay", str(out_dir / "program.py"))
    assert safe.returncode == 0 and "every invariant held" in safe.stdout
