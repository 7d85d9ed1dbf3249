"""`ticketing up`'s side of a stack's supervisor: start it, follow what it reports, stop it."""

from __future__ import annotations

import fcntl
import json
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ticketing_harness.errors import HarnessError
from ticketing_harness.local.layout import SUPERVISOR, Layout
from ticketing_harness.local.notices import Kind, Notice
from ticketing_harness.local.options import UpOptions
from ticketing_harness.local.shutdown import stop_stack
from ticketing_harness.local.state import StackState, running_stack
from ticketing_harness.servers.lifecycle import log_tail


@contextmanager
def start_lock(layout: Layout) -> Iterator[None]:
    """Only one `up` at a time per state directory, even when two start at once."""
    layout.root.mkdir(parents=True, exist_ok=True)
    with layout.lock_file.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise HarnessError(
                f"another `ticketing up` is running with state in {layout.root}"
            ) from None
        yield


def refuse_second_stack(layout: Layout) -> None:
    """Raise if a stack from this state directory still runs."""
    state = running_stack(layout)
    if state is not None:
        raise HarnessError(
            f"the stack is already running at {state.url} (state in {layout.root}); "
            "stop it with `ticketing down` or use another --state-dir"
        )


class SupervisorProcess:
    """A supervisor just started for `options`, in a session of its own.

    `attached`: it stops the stack when this process ends (a foreground `up`); otherwise
    it runs on after this process is gone (`up --detach`).
    """

    def __init__(self, options: UpOptions, attached: bool) -> None:
        self.layout = options.layout
        self.log = self.layout.log_path(SUPERVISOR)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ticketing_harness.local.supervisor"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=True,
            )
        assert self.process.stdin is not None
        request = {"options": options.to_json(), "attached": attached}
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        self.process.stdin.flush()
        if not attached:
            self.process.stdin.close()

    def notices(self) -> Iterator[Notice]:
        """What it reports, until it ends."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            yield Notice.parse(line)

    def until_ready(self, on_notice: Callable[[Notice], None]) -> str:
        """Pass on what it reports until the stack is ready; its URL.

        Raises:
            HarnessError: the start failed (everything is stopped), or the supervisor died.
        """
        for notice in self.notices():
            if notice.kind is Kind.READY:
                return notice.text
            if notice.kind is Kind.FAILED:
                self.process.wait()
                raise HarnessError(notice.text)
            on_notice(notice)
        raise self.died()

    def died(self) -> HarnessError:
        """What to say when it ended without being asked to."""
        code = self.process.wait()
        return HarnessError(
            f"the stack's supervisor exited with code {code}. Last lines of {self.log}:\n"
            f"{log_tail(self.log)}"
        )

    def stop(self) -> None:
        """Stop it and the stack, whatever the stack got to (also while it starts).

        A second Ctrl-C meanwhile is ignored: stopping half-way would leave processes behind.
        """
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        state = StackState.load(self.layout.state_file)
        if state is not None and state.owner_pid == self.process.pid:
            stop_stack(self.layout, state)
        else:
            self.process.terminate()
        self.process.wait()

    def detach(self) -> None:
        """Leave it running on its own."""
        if self.process.stdout is not None:
            self.process.stdout.close()
