"""Running Locust: one process, or a master and its workers on this machine, as subprocesses.

Locust runs in processes of its own because importing it monkey-patches the standard
library with gevent, which the `ticketing` command (asyncio) must not have.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from ticketing_harness.errors import HarnessError
from ticketing_harness.load.reports import ReportFiles
from ticketing_harness.load.settings import LoadSettings, doors_deadline
from ticketing_harness.ports import free_port
from ticketing_harness.servers.lifecycle import log_tail

STOP_TIMEOUT = 30  # seconds users get to finish the task they are in when the run ends
WORKERS_MAX_WAIT = 120  # seconds the master waits for its workers to connect
SETUP_ALLOWANCE = 120  # seconds for listing the tickets and shutting down
EXIT_WAIT = 60


def run_locust(settings: LoadSettings, files: ReportFiles) -> None:
    """Run the scenario headless until its shape ends; raise if Locust wrote no run record."""
    files.directory.mkdir(parents=True, exist_ok=True)
    files.run.unlink(missing_ok=True)
    port = settings.master_port or free_port()
    with (
        _started(_master_command(settings, files, port), files.log) as master,
        contextlib.ExitStack() as workers,
    ):
        for index in range(settings.workers):
            workers.enter_context(
                _started(_worker_command(settings, port), files.worker_log(index))
            )
        _wait(master, timeout=_longest_run(settings))
    if not files.run.exists():
        raise HarnessError(
            f"Locust ended (code {master.returncode}) without a run record. "
            f"Last lines of {files.log}:\n{log_tail(files.log)}"
        )


def _master_command(settings: LoadSettings, files: ReportFiles, port: int) -> list[str]:
    command = [
        *_locust(settings),
        "--headless",
        "--host", settings.host,
        "--users", str(settings.users),
        "--spawn-rate", str(settings.spawn_rate),
        "--tickets", str(settings.tickets),
        "--hot", str(settings.hot),
        "--duration", str(settings.duration),
        "--run-file", str(files.run),
        "--csv", str(files.csv_prefix),
        "--csv-full-history",
        "--html", str(files.html),
        "--stop-timeout", str(STOP_TIMEOUT),
        "--only-summary",
    ]  # fmt: skip
    if settings.distributed:
        command += [
            "--master",
            "--master-bind-host", settings.master_bind_host,
            "--master-bind-port", str(port),
            "--expect-workers", str(settings.workers + settings.remote_workers),
            "--expect-workers-max-wait", str(WORKERS_MAX_WAIT),
        ]  # fmt: skip
    return command


def _worker_command(settings: LoadSettings, port: int) -> list[str]:
    return [
        *_locust(settings),
        "--worker",
        "--master-host",
        "127.0.0.1",
        "--master-port",
        str(port),
    ]


def _locust(settings: LoadSettings) -> list[str]:
    return [sys.executable, "-m", "locust", "--locustfile", str(settings.locustfile)]


@contextlib.contextmanager
def _started(command: list[str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A Locust process writing to its log; interrupted, then killed, if still running at exit."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        _stop(process)


def _wait(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Wait for Locust to end; Ctrl-C stops the run, and its reports are still written."""
    try:
        process.wait(timeout=timeout)
    except KeyboardInterrupt:
        # The terminal interrupted Locust too (same process group): let it write its reports.
        try:
            process.wait(timeout=EXIT_WAIT)
        except subprocess.TimeoutExpired:
            _stop(process)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise HarnessError(
            f"Locust was still running after {timeout:.0f}s and was stopped"
        ) from None


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)  # Locust writes its reports on the way out
    try:
        process.wait(timeout=EXIT_WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _longest_run(settings: LoadSettings) -> float:
    """Past this, something is stuck: the ramp, the wait for stragglers, the hold, the rest."""
    doors = doors_deadline(settings.users, settings.spawn_rate)
    return WORKERS_MAX_WAIT + doors + settings.duration + STOP_TIMEOUT + SETUP_ALLOWANCE
