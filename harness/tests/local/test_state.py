"""The state file that lets `status`, `logs` and `down` find a stack from another shell."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from ticketing_harness.local.processes import ProcessRecord
from ticketing_harness.local.state import ComponentState, StackState


def test_the_state_survives_a_round_trip_through_its_file(tmp_path: Path) -> None:
    me = ProcessRecord.of(os.getpid())
    state = StackState(me.pid, me.create_time, "http://127.0.0.1:8080", status="ready")
    state.components.append(
        ComponentState("postgres", me.pid, me.create_time, 5432, "/x.log", "SIGINT")
    )
    state.save(tmp_path / "state.json")
    loaded = StackState.load(tmp_path / "state.json")
    assert loaded == state
    assert loaded is not None
    assert loaded.components[0].signal is signal.SIGINT
    assert [c.name for c in loaded.running()] == ["postgres"]
    assert not list(tmp_path.glob("*.partial"))


def test_no_state_file_means_no_stack(tmp_path: Path) -> None:
    assert StackState.load(tmp_path / "state.json") is None
