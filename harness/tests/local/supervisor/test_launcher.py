"""The fork server: services named in `ps`, their ends reported, changed code loaded or refused."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from ticketing_harness.local.supervisor.launcher import Launcher
from ticketing_harness.servers.lifecycle import ProcessRecord, stop
from ticketing_harness.waiting import wait_until

MODULE = "launched_example"
SOURCE = """
import time

VERSION = "{version}"

if __name__ == "__main__":
    print("running", VERSION, flush=True)
    time.sleep(60)
"""


@pytest.fixture
def code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    package = tmp_path / "code" / MODULE
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text(SOURCE.format(version="one"))
    monkeypatch.setenv("PYTHONPATH", str(package.parent))
    return package / "__main__.py"


@pytest.fixture
def launcher(code: Path, tmp_path: Path) -> Iterator[Launcher]:
    started = Launcher([MODULE], tmp_path / "launcher.log")
    yield started
    started.close()


def _run(launcher: Launcher, log: Path, title: str = MODULE) -> ProcessRecord:
    record = launcher.spawn(MODULE, log, dict(os.environ), timeout=30, title=title)
    assert wait_until(lambda: log.exists() and "running" in log.read_text(), timeout=10)
    return record


def test_a_service_is_named_in_ps_and_its_end_is_reported_with_its_status(
    launcher: Launcher, tmp_path: Path
) -> None:
    record = _run(launcher, tmp_path / "one.log", title="orders#2")
    assert " ".join(psutil.Process(record.pid).cmdline()).strip() == "ticketing: orders#2"
    os.kill(record.pid, signal.SIGKILL)
    assert wait_until(lambda: launcher.exit_codes.get(record.pid) == -signal.SIGKILL, timeout=10)


def test_code_that_does_not_load_is_refused_and_the_next_fork_runs_the_old_code(
    launcher: Launcher, code: Path, tmp_path: Path
) -> None:
    records = [_run(launcher, tmp_path / "first.log")]  # once the launcher has loaded it
    try:
        code.write_text(SOURCE.format(version="two") + "\ndef broken(:\n")
        error = launcher.reload([MODULE], [MODULE], [code], timeout=30)
        assert error is not None
        assert "SyntaxError" in error
        records.append(_run(launcher, tmp_path / "old.log"))
        assert "running one" in (tmp_path / "old.log").read_text()
        code.write_text(SOURCE.format(version="three"))
        assert launcher.reload([MODULE], [MODULE], [code], timeout=30) is None
        records.append(_run(launcher, tmp_path / "new.log"))
        assert "running three" in (tmp_path / "new.log").read_text()
    finally:
        for record in records:
            stop(record)
