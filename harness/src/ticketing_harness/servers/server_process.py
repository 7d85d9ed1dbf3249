"""One local server process: its own directory, port and log, a readiness wait and a clean stop."""

from __future__ import annotations

import ctypes
import os
import pwd
import shutil
import signal
import subprocess
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Self, TypedDict, Unpack

from ticketing_harness.errors import HarnessError
from ticketing_harness.ports import free_port
from ticketing_harness.servers.lifecycle import (
    ProcessRecord,
    exit_code,
    kill,
    log_tail,
    spawn,
    stop,
)
from ticketing_harness.waiting import wait_until

_PR_SET_PDEATHSIG = 1
_prctl = getattr(ctypes.CDLL(None), "prctl", None)  # Linux only
_LOG_TAIL_LINES = 25
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


class ServerOptions(TypedDict, total=False):
    """What every server takes beside its directory: see ServerProcess."""

    port: int | None
    binary: Path | str | None
    pid: int | None
    detached: bool


class ServerError(HarnessError):
    """A server could not be found, started or stopped; the message says which, why, and its log."""


def find_on_path(name: str) -> Path | None:
    """Return the executable ``name`` found on PATH, if any."""
    found = shutil.which(name)
    return Path(found) if found else None


def http_status(
    url: str, *, method: str = "GET", headers: dict[str, str] | None = None
) -> int | None:
    """Return the HTTP status a request to ``url`` gets, or None when nothing answers."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with _direct.open(request, timeout=1.0) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.close()
        return error.code
    except OSError:
        return None


class ServerProcess(ABC):
    """A server binary run in its own directory on its own port; subclasses say how.

    ``pid``, ``port`` and ``directory`` are plain attributes, so a handle for a server
    started earlier (``detached=True``, e.g. by ``ticketing up``) can be rebuilt from
    them and stopped or restarted. A server that is not detached is signalled when the
    thread that started it dies, so a crashed test run leaves no server behind.
    """

    name: ClassVar[str]
    binary_name: ClassVar[str]
    install_hint: ClassVar[str]
    stop_signal: ClassVar[signal.Signals] = signal.SIGTERM
    startup_timeout: ClassVar[float] = 30.0
    stop_timeout: ClassVar[float] = 10.0
    user: str | None = None

    def __init__(self, directory: Path | str, **options: Unpack[ServerOptions]) -> None:
        binary = options.get("binary")
        self.directory = Path(directory).absolute()
        self.port = options.get("port") or free_port()
        self.binary = Path(binary) if binary is not None else None
        self.pid = options.get("pid")
        self.detached = options.get("detached", False)
        self._record: ProcessRecord | None = None

    @abstractmethod
    def default_binary(self) -> Path | None:
        """Return where the server binary is installed, if it is."""

    @abstractmethod
    def argv(self, binary: Path) -> list[str]:
        """Return the command line that runs the server in the foreground."""

    @abstractmethod
    def is_ready(self) -> bool:
        """Tell whether the server answers requests now."""

    def prepare(self, binary: Path) -> None:
        """Create what the server needs in its directory before it starts."""
        self.directory.mkdir(parents=True, exist_ok=True)

    @property
    def log_path(self) -> Path:
        """The file that receives the server's output, across restarts."""
        return self.directory / "server.log"

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        record = self._process_record()
        return record is not None and record.alive()

    @property
    def returncode(self) -> int | None:
        """How the process this handle started ended (-N: signal N); None while it runs."""
        return exit_code(self._record) if self._record is not None else None

    def start(self) -> Self:
        """Start the server and wait until it is ready; raise ServerError if it is not."""
        if self.running:
            return self
        binary = self._find_binary()
        self.prepare(binary)
        record = self._record = spawn(
            self.argv(binary),
            self.log_path,
            cwd=self.directory,
            # Its own session: Ctrl-C in a terminal must not reach the server.
            preexec_fn=None if self.detached else self._stop_with_parent,
            **self._credentials(),
        )
        self.pid = record.pid
        ready = wait_until(
            lambda: exit_code(record) is not None or self.is_ready(), timeout=self.startup_timeout
        )
        code = exit_code(record)
        if code is not None:
            self._forget()
            raise self.error(f"exited with code {code} while starting")
        if not ready:
            self.stop()
            raise self.error(f"was not ready within {self.startup_timeout:.0f}s")
        return self

    def stop(self) -> None:
        """Stop the server: its stop signal, a wait, then SIGKILL; does nothing if stopped."""
        record = self._process_record()
        if record is None:
            return
        if not stop(record, self.stop_signal, self.stop_timeout):
            raise self.error(f"(pid {self.pid}) survived SIGKILL")
        self._forget()

    def kill(self) -> None:
        """Crash the server: SIGKILL its whole process group at once, like a power cut."""
        record = self._process_record()
        if record is None:
            return
        if not kill(record, self.stop_timeout):
            raise self.error(f"(pid {self.pid}) survived SIGKILL")
        self._forget()

    def restart(self) -> Self:
        """Stop and start again on the same port with the same data."""
        self.stop()
        return self.start()

    def error(self, problem: str) -> ServerError:
        """Build the ServerError for ``problem``, with the end of the server's log."""
        return ServerError(
            f"{self.name} on port {self.port} {problem}. "
            f"Last lines of {self.log_path}:\n{log_tail(self.log_path, _LOG_TAIL_LINES)}"
        )

    def run_step(self, args: list[str]) -> int:
        """Run a preparation command as the server's user, output to the log; return its code."""
        with self.log_path.open("ab") as log:
            return subprocess.run(
                args,
                cwd=self.directory,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
                **self._credentials(),
            ).returncode

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} port={self.port} pid={self.pid} {self.directory}>"

    def _find_binary(self) -> Path:
        binary = self.binary or self.default_binary()
        if binary is None or not (binary.is_file() and os.access(binary, os.X_OK)):
            wanted = binary or self.binary_name
            raise ServerError(f"{self.name}: {wanted} not found. Install it: {self.install_hint}")
        return binary

    def _credentials(self) -> dict[str, Any]:
        if self.user is None:
            return {}
        entry = pwd.getpwnam(self.user)
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def _stop_with_parent(self) -> None:
        if _prctl is not None:
            _prctl(_PR_SET_PDEATHSIG, int(self.stop_signal))

    def _process_record(self) -> ProcessRecord | None:
        """The process this handle started, or the one its pid names (a detached server's)."""
        if self._record is not None:
            return self._record
        return ProcessRecord.of(self.pid) if self.pid is not None else None

    def _forget(self) -> None:
        self._record = None
        self.pid = None
