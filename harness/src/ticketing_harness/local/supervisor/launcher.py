"""The supervisor's side of the fork server in `ticketing_harness.local.supervisor.forkserver`."""

from __future__ import annotations

import json
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ticketing_harness.errors import HarnessError
from ticketing_harness.servers.lifecycle import ProcessRecord, log_tail

ExitObserver = Callable[[int, int], None]


class LaunchFailed(HarnessError):
    """A service could not be forked: its module failed to import, or the launcher died."""


class Launcher:
    """A running fork server that preloads `modules`; `spawn` turns a fork into a service.

    The supervisor starts it first of all, so the preloading overlaps everything else, and
    keeps it to fork restarts and to load changed code. `on_exit(pid, code)` hears of each
    of its services that ends, from a thread of its own.
    """

    def __init__(
        self, modules: Sequence[str], log: Path, on_exit: ExitObserver | None = None
    ) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        self.modules = list(modules)
        self.log = log
        self.on_exit = on_exit
        self.exit_codes: dict[int, int] = {}
        self._answers: queue.Queue[dict[str, Any]] = queue.Queue()
        self._lock = threading.Lock()
        # Packets keep each request whole with the file descriptors it hands over.
        self._requests, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with log.open("ab") as output, theirs:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "ticketing_harness.local.supervisor.forkserver", *modules],
                stdin=theirs.fileno(),
                stdout=subprocess.PIPE,
                stderr=output,
                start_new_session=True,
            )
        threading.Thread(target=self._read, name="launcher-reader", daemon=True).start()

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def started_again(self) -> Launcher:
        """A new launcher like this one, which has ended (killed, or it stopped answering)."""
        return Launcher(self.modules, self.log, self.on_exit)

    def spawn(
        self,
        module: str,
        log: Path,
        env: Mapping[str, str],
        timeout: float,
        title: str | None = None,
        sockets: Sequence[socket.socket] = (),
    ) -> ProcessRecord:
        """Fork a process that runs `module` like `python -m`; waits while modules preload.

        It shows in `ps` as `ticketing: <title>` (default: the module), and serves on the
        listening `sockets` (from fd 3, as systemd hands them over) if given.
        """
        request = {
            "fork": module,
            "title": f"ticketing: {title or module}",
            "log": str(log),
            "env": dict(env),
        }
        reply = self._ask(request, timeout, [sock.fileno() for sock in sockets])
        if "error" in reply:
            raise LaunchFailed(
                f"{module} failed to start: {reply['error']}. Last lines of {log}:\n{log_tail(log)}"
            )
        return ProcessRecord.of(int(reply["pid"]))  # if it ended already: never alive

    def reload(
        self,
        packages: Sequence[str],
        modules: Sequence[str],
        changed: Sequence[Path],
        timeout: float,
    ) -> str | None:
        """Import `packages` again, then `modules`, for the next forks; the traceback if it fails.

        On failure the launcher keeps the code it had, so restarts still run that.
        """
        request = {
            "reload": list(packages),
            "modules": list(modules),
            "changed": [str(path) for path in changed],
        }
        reply = self._ask(request, timeout)
        return str(reply["error"]) if "error" in reply else None

    def _ask(
        self, request: dict[str, Any], timeout: float, fds: Sequence[int] = ()
    ) -> dict[str, Any]:
        with self._lock:
            try:
                socket.send_fds(self._requests, [json.dumps(request).encode()], list(fds))
                reply = self._answers.get(timeout=timeout)
            except (OSError, queue.Empty):
                reply = {}
        if not reply:
            self._process.kill()  # a late answer would be taken for the next request's
            raise LaunchFailed(
                f"the service launcher stopped or did not answer within {timeout:.0f}s. "
                f"Last lines of {self.log}:\n{log_tail(self.log)}"
            )
        return reply

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            message = json.loads(line)
            if "exited" in message:
                pid, code = int(message["exited"]), int(message["code"])
                self.exit_codes[pid] = code
                if self.on_exit is not None:
                    self.on_exit(pid, code)
            else:
                self._answers.put(message)
        self._process.stdout.close()
        self._answers.put({})  # it ended: whoever waits for an answer hears so

    def close(self) -> None:
        """End the launcher once a request in progress is answered; its services keep running.

        Each service runs in its own session, so ending the launcher does not touch them.
        """
        with self._lock:
            self._requests.close()
            self._process.kill()
            self._process.wait()
