"""The state file that lets `status`, `logs` and `down` find a stack from another shell."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from ticketing_harness.local.state import ComponentState, Condition, StackState
from ticketing_harness.servers.lifecycle import ProcessRecord


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


def test_a_state_file_written_before_supervision_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    component = {"name": "auth", "pid": 1, "create_time": 2.0, "port": 3, "log": "/a.log"}
    path.write_text(
        json.dumps(
            {"owner_pid": 1, "owner_create_time": 2.0, "url": "u", "components": [component]}
        )
    )
    loaded = StackState.load(path)
    assert loaded is not None
    assert loaded.components[0].condition is Condition.RUNNING
    assert loaded.components[0].restarts == 0
