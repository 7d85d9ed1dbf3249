"""`ticketing chaos explore`: a disabled safeguard is found, its shrunk program printed, and
the saved program fails again on replay, and passes with the safeguard on."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ticketing_harness.testing.stacks import make_state_dir, run_ticketing

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def scratch() -> Iterator[Path]:
    path = make_state_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_failure_prints_a_program_that_replays(scratch: Path) -> None:
    canary = ("--canary", "processed-event-record")
    found = run_ticketing("chaos", "explore", "--examples", "50", "--seed", "3", *canary)
    assert found.returncode == 1, found.stdout + found.stderr
    assert "FAILED I6: " in found.stdout
    program = found.stdout[found.stdout.index("state = Marketplace()") :]
    assert program.rstrip().endswith("state.teardown()")
    (scratch / "program.py").write_text(program)
    again = run_ticketing("chaos", "explore", "--replay", str(scratch / "program.py"), *canary)
    assert again.returncode == 1 and "FAILED again: I6: " in again.stdout
    safe = run_ticketing("chaos", "explore", "--replay", str(scratch / "program.py"))
    assert safe.returncode == 0 and "every invariant held" in safe.stdout
