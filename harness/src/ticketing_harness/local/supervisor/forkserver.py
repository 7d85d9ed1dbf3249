"""A fork server for the services: import their code once, then fork one process per service.

Importing FastAPI, pydantic, asyncpg, nats and the rest costs seconds of CPU per
interpreter; six services paid it six times. The stack's supervisor starts this launcher
with the service modules to preload (`python -m ticketing_harness.local.supervisor.forkserver
auth tickets ...`) while the servers start, and keeps it for restarts. Requests come on
stdin, a Unix socket of packets (each a JSON object, and the file descriptors it hands over),
and are answered on stdout, one JSON line each, in order:

- `{"fork": MODULE, "title": ..., "log": ..., "env": {...}}` forks a child that becomes that
  service in its own session, named `title` in `ps`, output to its log, as `python -m
  MODULE` would run the code it imported: `{"pid": N}`, or `{"error": ...}` when the
  module does not import. The sockets handed over with the request are the child's from
  fd 3, announced in LISTEN_FDS and LISTEN_PID as systemd does;
- `{"reload": [PACKAGE, ...], "modules": [MODULE, ...], "changed": [PATH, ...]}` imports
  those packages again from their changed sources, so that the next forks run the new code:
  `{"reloaded": true}`, or `{"error": TRACEBACK}` and the code imported before stays.

Whenever a child ends, a line `{"exited": PID, "code": N}` says so (N < 0: killed by signal
-N). The launcher exits at the end of its input.
"""

from __future__ import annotations

import builtins
import contextlib
import fcntl
import importlib
import importlib.util
import json
import os
import select
import signal
import socket
import sys
import traceback
from dataclasses import dataclass
from importlib.abc import InspectLoader
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import CodeType
from typing import Any

from setproctitle import setproctitle

TITLE = "ticketing: launcher"
_LARGEST_REQUEST = 1 << 20
_MOST_FDS = 8
_FIRST_SOCKET_FD = 3
_SPARE_FDS = 100


@dataclass(frozen=True)
class Main:
    """A service's `__main__`, compiled when its code was imported: what a fork runs."""

    spec: ModuleSpec
    code: CodeType


Loaded = tuple[dict[str, Main], dict[str, str]]


def preload(modules: list[str]) -> Loaded:
    """Import each service's `__main__` (its guard keeps it from running); what failed, why."""
    mains, failures = {}, {}
    for module in modules:
        try:
            main = importlib.import_module(f"{module}.__main__")
            spec = main.__spec__
            loader = spec.loader if spec is not None else None
            code = loader.get_code(main.__name__) if isinstance(loader, InspectLoader) else None
            if spec is None or code is None:
                raise ImportError(f"{module}.__main__ has no code to run")
            mains[module] = Main(spec, code)
        except BaseException:
            failures[module] = traceback.format_exc()
    return mains, failures


def reload(packages: list[str], modules: list[str], changed: list[str]) -> Loaded:
    """Import `packages` afresh and then `modules`; on failure restore the old ones."""
    for path in changed:
        # A rewrite within the second of the last compile could otherwise load the old bytecode.
        with contextlib.suppress(OSError, ValueError):
            os.remove(importlib.util.cache_from_source(path))
    before = {name: module for name, module in sys.modules.items() if _top(name) in packages}
    for name in before:
        del sys.modules[name]
    importlib.invalidate_caches()
    mains, failures = preload(modules)
    if failures:
        for name in [name for name in sys.modules if _top(name) in packages]:
            del sys.modules[name]
        sys.modules.update(before)
    return mains, failures


def _top(module: str) -> str:
    return module.partition(".")[0]


def become(main: Main, title: str, log: str, env: dict[str, str], sockets: list[int]) -> None:
    """In the forked child: detach, take the service's name, output, environment and sockets;
    run it."""
    os.setsid()
    setproctitle(title)
    # Moved out of the way first: fd 3 onwards may be taken by what they replace.
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, _SPARE_FDS) for fd in sockets]
    for number, fd in enumerate(moved):
        os.dup2(fd, _FIRST_SOCKET_FD + number)
        os.close(fd)
    output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    os.close(nothing)
    os.environ.clear()
    os.environ.update(env)
    if sockets:
        os.environ.update({"LISTEN_FDS": str(len(sockets)), "LISTEN_PID": str(os.getpid())})
    sys.argv = [str(main.spec.origin)]
    namespace = {
        "__name__": "__main__",
        "__file__": main.spec.origin,
        "__spec__": main.spec,
        "__loader__": main.spec.loader,
        "__package__": main.spec.parent,
        "__builtins__": builtins,
    }
    exec(main.code, namespace)


class ForkServer:
    """Answers requests until stdin ends, and reports each child that ends."""

    def __init__(self, loaded: Loaded) -> None:
        self.mains, self.failures = loaded
        self._wake_read, self._wake_write = os.pipe()
        for fd in (self._wake_read, self._wake_write):
            os.set_blocking(fd, False)

    def serve(self) -> None:
        """Never returns in a child: it becomes a service."""
        # A handler (doing nothing) makes SIGCHLD write to the wake-up pipe that select watches.
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(self._wake_write)
        requests = socket.socket(fileno=sys.stdin.fileno())
        while True:
            readable, _, _ = select.select([requests, self._wake_read], [], [])
            if self._wake_read in readable:
                with contextlib.suppress(BlockingIOError):
                    os.read(self._wake_read, 4096)
                self._reap()
            if requests in readable:
                packet, fds, _, _ = socket.recv_fds(requests, _LARGEST_REQUEST, _MOST_FDS)
                if not packet:
                    return
                try:
                    self._handle(json.loads(packet), fds)
                finally:
                    for fd in fds:
                        os.close(fd)

    def _handle(self, request: dict[str, Any], sockets: list[int]) -> None:
        if "reload" in request:
            mains, failures = reload(request["reload"], request["modules"], request["changed"])
            if failures:
                _answer({"error": next(iter(failures.values()))})
                return
            self.mains.update(mains)
            self.failures = {m: f for m, f in self.failures.items() if m not in mains}
            _answer({"reloaded": True})
            return
        module = request["fork"]
        if module in self.failures:
            with Path(request["log"]).open("a") as log:
                log.write(self.failures[module])
            _answer({"error": self.failures[module].strip().splitlines()[-1]})
            return
        pid = os.fork()
        if pid == 0:
            self._forget_parent()
            main = self.mains[module]
            become(main, request["title"], request["log"], request["env"], sockets)
            raise SystemExit(0)
        _answer({"pid": pid})

    def _forget_parent(self) -> None:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.close(self._wake_read)
        os.close(self._wake_write)

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            _answer({"exited": pid, "code": os.waitstatus_to_exitcode(status)})


def _answer(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> None:
    setproctitle(TITLE)
    ForkServer(preload(sys.argv[1:])).serve()


if __name__ == "__main__":
    main()
