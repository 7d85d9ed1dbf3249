"""The supervisor's run: start the stack, keep it running until told to stop, stop it.

It reports to a foreground `up` on its output; see the package's docstring for how it starts.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import threading
from collections.abc import Callable

from ticketing_harness.errors import HarnessError
from ticketing_harness.local.notices import Kind, Level, Notice, NoticeOutput, Phase
from ticketing_harness.local.options import UpOptions
from ticketing_harness.local.shutdown import stop_stack
from ticketing_harness.local.supervisor.launcher import Launcher
from ticketing_harness.local.supervisor.recovery import Recovery, Tell
from ticketing_harness.local.supervisor.reloading import Reloading
from ticketing_harness.local.supervisor.requests import Requests
from ticketing_harness.local.supervisor.startup import Startup

log = logging.getLogger("ticketing.supervisor")

_LEVELS = {Level.INFO: logging.INFO, Level.WARNING: logging.WARNING, Level.ERROR: logging.ERROR}


class Supervisor:
    """Runs one stack until told to stop."""

    def __init__(self, options: UpOptions, launcher: Launcher, output: NoticeOutput) -> None:
        self.options = options
        self.layout = options.layout
        self.output = output
        self.startup = Startup(options, self._phase, launcher)
        self.recovery = Recovery(self.startup, self.note)
        self.requests = Requests(self.startup, self.recovery, self.note)
        self.stopping = asyncio.Event()
        self.ready = False

    async def run(self, attached: bool) -> int:
        """Start the stack, supervise it until told to stop, stop it; the exit status."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.add_signal_handler(signum, self.stopping.set)
        if attached:
            _on_end_of_input(lambda: loop.call_soon_threadsafe(self.stopping.set))
        started = await self._start()
        if started:
            await self._supervise()
        await self._shutdown()
        return 0 if started else 1

    def note(self, text: str, level: Level = Level.INFO, tell: Tell | None = None) -> None:
        """Log it, show it to a foreground `up`, and to whoever asked (`tell`)."""
        log.log(_LEVELS[level], "%s", text)
        notice = Notice(Kind.NOTE, text, level=level)
        self.output.send(notice)
        if tell is not None:
            tell(notice)

    async def _start(self) -> bool:
        """Start everything, unless told to stop meanwhile; tell `up` how it went."""
        start = asyncio.create_task(self.startup.run())
        told_to_stop = asyncio.create_task(self.stopping.wait())
        await asyncio.wait({start, told_to_stop}, return_when=asyncio.FIRST_COMPLETED)
        told_to_stop.cancel()
        if not start.done() or start.exception() is not None:
            start.cancel()
            outcome = await asyncio.gather(start, return_exceptions=True)
            self.output.send(Notice(Kind.FAILED, _start_failure(outcome[0])))
            return False
        self.ready = True
        self.output.send(Notice(Kind.READY, self.startup.state.url))
        log.info("the stack is ready at %s", self.startup.state.url)
        return True

    async def _supervise(self) -> None:
        """Recover what dies, reload what changes and answer requests, until told to stop."""
        server = await asyncio.start_unix_server(
            self.requests.serve, path=self.layout.control_socket
        )
        self.layout.control_socket.chmod(0o600)
        tasks = [asyncio.create_task(self.recovery.monitor())]
        if self.options.reload:
            reloading = Reloading(self.startup, self.requests, self.note)
            tasks.append(asyncio.create_task(reloading.watch(self.stopping)))
        await self.stopping.wait()
        server.close()
        for task in (*tasks, *self.recovery.pending()):
            task.cancel()
        await asyncio.gather(*tasks, *self.recovery.pending(), return_exceptions=True)

    def _phase(self, name: str, phase: Phase, detail: str) -> None:
        if not self.ready:
            self.output.send(Notice(Kind.PHASE, detail, name=name, phase=phase.value))

    async def _shutdown(self) -> None:
        log.info("stopping the stack")
        await asyncio.to_thread(self.startup.close)
        await asyncio.to_thread(self.startup.launcher.close)
        await asyncio.to_thread(stop_stack, self.layout, self.startup.state)
        self.layout.control_socket.unlink(missing_ok=True)
        log.info("stopped")


def _on_end_of_input(callback: Callable[[], object]) -> None:
    """Call back when stdin ends: the foreground `up` that started us is gone."""

    def wait() -> None:
        sys.stdin.buffer.read()
        callback()

    threading.Thread(target=wait, name="end-of-input", daemon=True).start()


def _start_failure(outcome: object) -> str:
    """Why the start failed, from what the start task ended with."""
    if isinstance(outcome, HarnessError):
        return str(outcome)
    if isinstance(outcome, BaseException) and not isinstance(outcome, asyncio.CancelledError):
        log.error("the start failed", exc_info=outcome)
        return f"the start failed: {type(outcome).__name__}: {outcome}"
    return "stopped while starting"
