"""The processes we own: stopped or crashed with everything they started, never a recycled pid."""

from __future__ import annotations

import sys
from pathlib import Path

import psutil

from ticketing_harness.servers import lifecycle
from ticketing_harness.servers.lifecycle import ProcessRecord
from ticketing_harness.waiting import wait_until

# A parent that starts a child and then waits: stopping the parent must end both.
FAMILY = (
    "import subprocess, sys, time;"
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
    "print('started', flush=True); time.sleep(60)"
)


def test_stop_ends_the_process_and_its_children(tmp_path: Path) -> None:
    log = tmp_path / "family.log"
    record = lifecycle.spawn([sys.executable, "-c", FAMILY], log)
    assert wait_until(lambda: "started" in log.read_text(), timeout=10)
    children = psutil.Process(record.pid).children(recursive=True)
    assert children
    assert lifecycle.stop(record)
    assert not record.alive()
    assert not any(ProcessRecord.of(c.pid).alive() for c in children if psutil.pid_exists(c.pid))


def test_kill_crashes_the_process_and_its_children_at_once(tmp_path: Path) -> None:
    log = tmp_path / "family.log"
    record = lifecycle.spawn([sys.executable, "-c", FAMILY], log)
    assert wait_until(lambda: "started" in log.read_text(), timeout=10)
    children = [ProcessRecord.of(c.pid) for c in psutil.Process(record.pid).children()]
    assert lifecycle.kill(record)
    assert lifecycle.exit_code(record) is None  # collected: no zombie left behind
    assert not record.alive()
    assert children
    assert not any(child.alive() for child in children)


def test_a_process_that_ended_has_a_record_that_is_never_alive(tmp_path: Path) -> None:
    record = lifecycle.spawn([sys.executable, "-c", "pass"], tmp_path / "x.log")
    assert wait_until(lambda: lifecycle.exit_code(record) == 0, timeout=10)
    assert not ProcessRecord.of(record.pid).alive()
    assert lifecycle.stop(record)


def test_a_recorded_pid_with_another_start_time_is_not_ours(tmp_path: Path) -> None:
    record = lifecycle.spawn(
        [sys.executable, "-c", "import time; time.sleep(60)"], tmp_path / "x.log"
    )
    try:
        impostor = ProcessRecord(record.pid, record.create_time - 1000)
        assert not impostor.alive()
        lifecycle.stop(impostor)
        assert record.alive()
    finally:
        lifecycle.stop(record)


def test_log_tail_shows_the_last_lines(tmp_path: Path) -> None:
    log = tmp_path / "service.log"
    log.write_text("".join(f"line {n}\n" for n in range(100)))
    assert lifecycle.log_tail(log, 3) == "line 97\nline 98\nline 99"
    assert lifecycle.log_tail(tmp_path / "missing.log") == "(no log yet)"
