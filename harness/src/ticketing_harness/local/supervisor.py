"""The process that owns a running stack: starts it, restarts what dies, reloads changed code.

`ticketing up` starts it (`python -m ticketing_harness.local.supervisor`, the options as one
JSON line on stdin) in a session of its own and shows what it reports on stdout (see
`notices`); with `--detach`, `up` returns and the supervisor carries on. It is the stack's
owner in the state file: SIGTERM (`ticketing down`) stops everything, as does the end of
a foreground `up`. Requests such as `ticketing restart` come on the control socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from setproctitle import setproctitle

from ticketing_common.logs import configure_logging
from ticketing_harness.components import SERVICES
from ticketing_harness.errors import HarnessError
from ticketing_harness.local.backoff import Backoff
from ticketing_harness.local.control import stop_stack
from ticketing_harness.local.launcher import Launcher, LaunchFailed
from ticketing_harness.local.layout import SUPERVISOR
from ticketing_harness.local.notices import Kind, Level, Notice, NoticeOutput
from ticketing_harness.local.replicas import service_of
from ticketing_harness.local.sources import find_packages, plan_reload, watched_roots
from ticketing_harness.local.startup import Phase, StartFailed, Startup
from ticketing_harness.local.state import ComponentState, Condition
from ticketing_harness.local.wiring import UpOptions
from ticketing_harness.servers.lifecycle import log_tail

log = logging.getLogger("ticketing.supervisor")

_LEVELS = {Level.INFO: logging.INFO, Level.WARNING: logging.WARNING, Level.ERROR: logging.ERROR}
_FAILURE_LINES = 20
_TRACEBACK_LINES = 8
Tell = Callable[[Notice], None]


@dataclass
class _Watch:
    """The supervision of one component: one action at a time, and its failures in a row."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    backoff: Backoff = field(default_factory=Backoff)
    recovery: asyncio.Task[None] | None = None

    @property
    def busy(self) -> bool:
        return self.lock.locked() or (self.recovery is not None and not self.recovery.done())


class Supervisor:
    """Runs one stack until told to stop."""

    def __init__(self, options: UpOptions, launcher: Launcher, output: NoticeOutput) -> None:
        self.options = options
        self.layout = options.layout
        self.output = output
        self.startup = Startup(options, self._phase, launcher)
        self.stopping = asyncio.Event()
        self.ready = False
        self._watches: dict[str, _Watch] = {}

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

    async def _start(self) -> bool:
        """Start everything, unless told to stop meanwhile; tell `up` how it went."""
        start = asyncio.create_task(self.startup.run())
        told_to_stop = asyncio.create_task(self.stopping.wait())
        await asyncio.wait({start, told_to_stop}, return_when=asyncio.FIRST_COMPLETED)
        told_to_stop.cancel()
        if not start.done() or start.exception() is not None:
            start.cancel()
            outcome = await asyncio.gather(start, return_exceptions=True)
            self.output.send(Notice(Kind.FAILED, _why(outcome[0])))
            return False
        self.ready = True
        self.output.send(Notice(Kind.READY, self.startup.state.url))
        log.info("the stack is ready at %s", self.startup.state.url)
        return True

    async def _supervise(self) -> None:
        """Recover what dies, reload what changes and answer requests, until told to stop."""
        server = await asyncio.start_unix_server(self._serve, path=self.layout.control_socket)
        self.layout.control_socket.chmod(0o600)
        tasks = [asyncio.create_task(self._monitor())]
        if self.options.reload:
            tasks.append(asyncio.create_task(self._reload_on_change()))
        await self.stopping.wait()
        server.close()
        for task in (*tasks, *self._recoveries()):
            task.cancel()
        await asyncio.gather(*tasks, *self._recoveries(), return_exceptions=True)

    def note(self, text: str, level: Level = Level.INFO, tell: Tell | None = None) -> None:
        """Log it, show it to a foreground `up`, and to whoever asked (`tell`)."""
        log.log(_LEVELS[level], "%s", text)
        notice = Notice(Kind.NOTE, text, level=level)
        self.output.send(notice)
        if tell is not None:
            tell(notice)

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

    # Crashes

    async def _monitor(self) -> None:
        """Notice every process that ended without being asked to, and recover it."""
        while True:
            for component in list(self.startup.state.components):
                watch = self._watch(component.name)
                if watch.busy or component.condition is Condition.FAILED:
                    continue
                if not component.record.alive():
                    watch.recovery = asyncio.create_task(self._recover(component))
            await asyncio.sleep(0.25)

    async def _recover(self, component: ComponentState) -> None:
        name = component.name
        async with self._watch(name).lock:
            code = await asyncio.to_thread(self.startup.reported_exit, name, component.record)
            component.last_exit = code
            await self._start_again(component, f"{name} {_exited(code)}")

    async def _start_again(self, component: ComponentState, why: str) -> None:
        """After a failure: wait, start, and again while it fails, until the backoff gives up."""
        name = component.name
        backoff = self._watch(name).backoff
        while True:
            delay = backoff.failed(time.monotonic())
            if delay is None:
                component.condition = Condition.FAILED
                component.failure = log_tail(Path(component.log), _FAILURE_LINES)
                if name in self.startup.instances:
                    self.startup.stop_listening(name)
                self._save()
                self.note(
                    f"{why}; it keeps failing ({backoff.failures} times in a row), so it stays "
                    f"stopped until its code changes or `ticketing restart {name}`. "
                    f"Last lines of {component.log}:\n{component.failure}",
                    Level.ERROR,
                )
                return
            component.condition = Condition.BACKOFF
            self._save()
            self.note(f"{why}; starting it again in {delay:g}s", Level.WARNING)
            await asyncio.sleep(delay)
            component.restarts += 1
            began = time.monotonic()
            try:
                await self.startup.start(name)
            except (StartFailed, LaunchFailed):
                component.last_exit = self.startup.exit_code(name, component.record)
                why = f"{name} {_exited(component.last_exit)} while starting again"
                continue
            self._running(component)
            self.note(f"{name} is back, ready in {time.monotonic() - began:.1f}s")
            return

    # Restarts on request

    async def restart(self, name: str, tell: Tell | None = None) -> bool:
        """Stop a component and start it again; False if it does not get ready, and then it is
        supervised as after a crash."""
        component = self.startup.state.component(name)
        if component is None:
            return False
        watch = self._watch(name)
        async with watch.lock:
            watch.backoff.reset()
            component.condition = Condition.RESTARTING
            self._save()
            began = time.monotonic()
            try:
                await self.startup.restart(name)
            except (StartFailed, LaunchFailed) as error:
                self.note(str(error), Level.ERROR, tell)
                component.last_exit = self.startup.exit_code(name, component.record)
                why = f"{name} {_exited(component.last_exit)}"
                watch.recovery = asyncio.create_task(self._again_after(component, why))
                return False
            self._running(component)
            self.note(f"{name} ready in {time.monotonic() - began:.1f}s", tell=tell)
            return True

    async def _again_after(self, component: ComponentState, why: str) -> None:
        async with self._watch(component.name).lock:
            await self._start_again(component, why)

    async def restart_services(self, names: list[str], tell: Tell | None = None) -> bool:
        """Restart each named process, a service's one after another so the others serve.

        A process that does not come back stops its service's round: the rest keep serving.
        """
        by_service: dict[str, list[str]] = {}
        for name in names:
            by_service.setdefault(service_of(name), []).append(name)

        async def rolling(instances: list[str]) -> bool:
            for number, name in enumerate(instances):
                if not await self.restart(name, tell):
                    if instances[number + 1 :]:
                        kept = ", ".join(instances[number + 1 :])
                        self.note(f"{kept} keep running the code they had", Level.WARNING, tell)
                    return False
            return True

        return all(await asyncio.gather(*(rolling(group) for group in by_service.values())))

    def resolve(self, wanted: list[str]) -> list[str]:
        """Process names for `all`, services (every replica), single processes, servers."""
        known = [component.name for component in self.startup.state.components]
        services = [name for name in known if name in self.startup.instances]
        chosen: list[str] = []
        for item in wanted:
            matches = (
                services
                if item == "all"
                else [name for name in known if name == item or service_of(name) == item]
            )
            if not matches:
                groups = dict.fromkeys(service_of(name) for name in [*services, *known])
                raise HarnessError(
                    f"no service or component {item!r}; choose among all, {', '.join(groups)}"
                )
            chosen.extend(name for name in matches if name not in chosen)
        return chosen

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One request on the control socket: `{"restart": [NAME, ...]}`, answered with notices."""

        def tell(notice: Notice) -> None:
            writer.write(notice.line())

        try:
            request = json.loads(await reader.readline())
            names = self.resolve([str(name) for name in request["restart"]])
            ok = await self.restart_services(names, tell)
            tell(Notice(Kind.DONE, level=Level.INFO if ok else Level.ERROR))
        except HarnessError as error:
            tell(Notice(Kind.DONE, str(error), level=Level.ERROR))
        except (ValueError, KeyError, TypeError):
            tell(Notice(Kind.DONE, "not a request this supervisor knows", level=Level.ERROR))
        with contextlib.suppress(ConnectionError):
            await writer.drain()
            writer.close()
            await writer.wait_closed()

    # Reload

    async def _reload_on_change(self) -> None:
        from watchfiles import awatch

        packages = find_packages(SERVICES)
        roots = watched_roots(packages)
        log.info("reloading on changes under %s", ", ".join(map(str, roots)))
        async for changes in awatch(*roots, stop_event=self.stopping):
            plan = plan_reload((Path(path) for _, path in changes), packages)
            for path in plan.served:
                self.note(f"{_shown(path)} changed: served as it is, no restart needed")
            if plan.services:
                await self._reload(plan.services, plan.packages, plan.changed)

    async def _reload(
        self, services: tuple[str, ...], packages: tuple[str, ...], changed: tuple[Path, ...]
    ) -> None:
        files = ", ".join(_shown(path) for path in changed)
        names = [n for n in self.startup.instances if service_of(n) in services]
        self.note(f"{files} changed: restarting {_counted(services, names)}")
        modules = [service.module for service in SERVICES if service.name in services]
        try:
            error = await asyncio.to_thread(
                self.startup.live_launcher().reload,
                packages,
                modules,
                changed,
                self.options.timeout,
            )
        except LaunchFailed as failure:
            error = str(failure)
        if error is not None:
            self.startup.state.reload_error = error
            self._save()
            where = "\n".join(error.strip().splitlines()[-_TRACEBACK_LINES:])
            self.note(
                f"{files} does not load, so {', '.join(services)} keep running the code they "
                f"have; fix it and save again:\n{where}",
                Level.ERROR,
            )
            return
        self.startup.state.reload_error = ""
        self._save()
        await self.restart_services(names)

    # Bookkeeping

    def _running(self, component: ComponentState) -> None:
        component.condition = Condition.RUNNING
        component.failure = ""
        self._watch(component.name).backoff.ready(time.monotonic())
        self._save()

    def _watch(self, name: str) -> _Watch:
        return self._watches.setdefault(name, _Watch())

    def _recoveries(self) -> list[asyncio.Task[None]]:
        return [w.recovery for w in self._watches.values() if w.recovery and not w.recovery.done()]

    def _save(self) -> None:
        self.startup.save()


def _on_end_of_input(callback: Callable[[], object]) -> None:
    """Call back when stdin ends: the foreground `up` that started us is gone."""

    def wait() -> None:
        sys.stdin.buffer.read()
        callback()

    threading.Thread(target=wait, name="end-of-input", daemon=True).start()


def _why(outcome: object) -> str:
    if isinstance(outcome, HarnessError):
        return str(outcome)
    if isinstance(outcome, BaseException) and not isinstance(outcome, asyncio.CancelledError):
        log.error("the start failed", exc_info=outcome)
        return f"the start failed: {type(outcome).__name__}: {outcome}"
    return "stopped while starting"


def _exited(code: int | None) -> str:
    if code is None:
        return "exited"
    if code < 0:
        return f"was killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"


def _counted(services: tuple[str, ...], names: list[str]) -> str:
    extra = len(names) - len(services)
    return ", ".join(services) + (f" ({len(names)} processes)" if extra else "")


def _shown(path: Path) -> str:
    """A path relative to the current directory when it lies inside it."""
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


def main() -> None:
    setproctitle(f"ticketing: {SUPERVISOR}")
    request = json.loads(sys.stdin.buffer.readline())
    options = UpOptions.from_json(request["options"])
    configure_logging(SUPERVISOR)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not every readiness probe
    launcher = Launcher(
        [service.module for service in SERVICES], options.layout.log_dir / "launcher.log"
    )
    supervisor = Supervisor(options, launcher, NoticeOutput(sys.stdout.fileno()))
    sys.exit(asyncio.run(supervisor.run(attached=bool(request["attached"]))))


if __name__ == "__main__":
    main()
