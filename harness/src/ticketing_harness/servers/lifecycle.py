"""The processes we start and own: each in its own session with its output in a log, known by
pid and start time, stopped with everything it started (its stop signal, then SIGKILL).

The servers (`ServerProcess`), the gateway and a stack's `down` all stop processes this way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

# What a wait after SIGKILL allows: the kernel frees a killed process at once, unless it is
# stuck in the middle of a system call.
KILL_TIMEOUT = 5.0
_LOG_TAIL_BYTES = 16_384


@dataclass(frozen=True)
class ProcessRecord:
    """A process identified by pid and start time, so a recycled pid is never killed."""

    pid: int
    create_time: float

    @classmethod
    def of(cls, pid: int) -> ProcessRecord:
        """The record of the process `pid` now; one that is never alive if it has ended."""
        try:
            return cls(pid, psutil.Process(pid).create_time())
        except psutil.NoSuchProcess:
            return cls(pid, 0.0)

    def alive(self) -> bool:
        """True while this very process runs (not a later one that reused the pid).

        A zombie counts as ended: where init never reaps orphans, it would wait forever.
        """
        try:
            process = psutil.Process(self.pid)
            return (
                abs(process.create_time() - self.create_time) < 0.01
                and process.status() != psutil.STATUS_ZOMBIE
            )
        except psutil.Error:
            return False


# Our own children, kept so that stopping one also collects its exit status.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def spawn(
    argv: Sequence[str],
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    **popen: Any,
) -> ProcessRecord:
    """Start a process in its own session (no terminal signals), output appended to its log.

    `popen` passes on what else `subprocess.Popen` should do (a `preexec_fn`, a `user`).
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            **popen,
        )
    _CHILDREN[process.pid] = process
    return ProcessRecord.of(process.pid)


def stop(record: ProcessRecord, sig: signal.Signals = signal.SIGTERM, timeout: float = 10) -> bool:
    """Stop a process and everything it started: `sig` first, SIGKILL after `timeout`.

    True once every one of them ended (also when it had already); False if one outlived SIGKILL.
    """
    if not record.alive():
        _reap(record.pid)
        return True
    family = _family(record.pid)
    _signal_all(family, sig)
    alive = _wait_gone(family, timeout)
    if alive:
        _signal_all(alive, signal.SIGKILL)
        alive = _wait_gone(alive, KILL_TIMEOUT)
    _reap(record.pid)
    return not alive


def kill(record: ProcessRecord, timeout: float = KILL_TIMEOUT) -> bool:
    """Crash a process: SIGKILL its process group and everything it started at once, like a
    power cut. True once they ended; False if one outlived SIGKILL."""
    family = _family(record.pid) if record.alive() else []
    if family:
        # The whole group in one call: a child forked meanwhile goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(record.pid, signal.SIGKILL)
    _signal_all(family, signal.SIGKILL)
    alive = _wait_gone(family, timeout)
    _reap(record.pid)
    return not alive


def exit_code(record: ProcessRecord) -> int | None:
    """The exit status of our own child once it ended (-N: signal N); None while it runs or
    if it is not ours."""
    child = _CHILDREN.get(record.pid)
    return child.poll() if child is not None else None


def log_tail(path: Path, lines: int = 20) -> str:
    """The last `lines` lines of a log file, for error messages."""
    try:
        with path.open("rb") as log:
            log.seek(max(log.seek(0, os.SEEK_END) - _LOG_TAIL_BYTES, 0))
            text = log.read().decode(errors="replace")
    except FileNotFoundError:
        return "(no log yet)"
    return "\n".join(text.strip().splitlines()[-lines:]) or "(log is empty)"


def _family(pid: int) -> list[psutil.Process]:
    """The process and every descendant it has now."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _wait_gone(processes: Sequence[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait until each process ended; return those still running after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        alive = [process for process in processes if _running(process)]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.02)


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _signal_all(processes: Sequence[psutil.Process], sig: signal.Signals) -> None:
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.send_signal(sig)


def _reap(pid: int) -> None:
    """Collect the exit status of our own ended child so it does not linger as a zombie."""
    child = _CHILDREN.get(pid)
    if child is not None and child.poll() is not None:
        del _CHILDREN[pid]
