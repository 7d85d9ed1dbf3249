"""The `ticketing up` side of the fork server in `ticketing_harness.local.forkserver`."""

from __future__ import annotations

import json
import select
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from ticketing_harness.errors import HarnessError
from ticketing_harness.local.processes import ProcessRecord, log_tail


class LaunchFailed(HarnessError):
    """A service could not be forked: its module failed to import, or the launcher died."""


class Launcher:
    """A running fork server that preloads `modules`; `spawn` turns a fork into a service.

    `ticketing up` starts it first of all, so the preloading overlaps everything else.
    """

    def __init__(self, modules: Sequence[str], log: Path) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log
        self._lock = threading.Lock()
        with log.open("ab") as output:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "ticketing_harness.local.forkserver", *modules],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=output,
                start_new_session=True,
            )

    def spawn(
        self, module: str, log: Path, env: Mapping[str, str], timeout: float
    ) -> ProcessRecord:
        """Fork a process that runs `module` like `python -m`; waits while modules preload."""
        request = json.dumps({"module": module, "log": str(log), "env": dict(env)})
        assert self._process.stdin is not None and self._process.stdout is not None
        with self._lock:
            try:
                self._process.stdin.write(request.encode() + b"\n")
                self._process.stdin.flush()
                answered, _, _ = select.select([self._process.stdout], [], [], timeout)
                answer = self._process.stdout.readline() if answered else b""
            except BrokenPipeError:
                answer = b""
        if not answer:
            raise LaunchFailed(
                f"the service launcher stopped or did not answer within {timeout:.0f}s. "
                f"Last lines of {self.log}:\n{log_tail(self.log)}"
            )
        reply = json.loads(answer)
        if "error" in reply:
            raise LaunchFailed(
                f"{module} failed to start: {reply['error']}. Last lines of {log}:\n{log_tail(log)}"
            )
        return ProcessRecord.of(int(reply["pid"]))

    def close(self) -> None:
        """End the launcher once a fork in progress is answered; its services keep running.

        Each service runs in its own session, so ending the launcher does not touch them.
        """
        with self._lock:
            for pipe in (self._process.stdin, self._process.stdout):
                if pipe is not None:
                    pipe.close()
            self._process.kill()
            self._process.wait()
