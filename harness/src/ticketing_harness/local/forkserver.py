"""A fork server for the services: import their code once, then fork one process per service.

Importing FastAPI, pydantic, asyncpg, nats and the rest costs seconds of CPU per
interpreter; six services paid it six times. `ticketing up` starts this launcher with
the service modules to preload (`python -m ticketing_harness.local.forkserver auth tickets ...`)
while the servers start. Each request on stdin, one JSON line
`{"module": ..., "log": ..., "env": {...}}`, forks a child that becomes that service in
its own session, output to its log, as `python -m MODULE` would run it; the answer on
stdout is `{"pid": N}`, or `{"error": ...}` when the module could not be imported. The
launcher exits at the end of its input.
"""

from __future__ import annotations

import importlib
import json
import os
import runpy
import signal
import sys
import traceback
from typing import Any


def preload(modules: list[str]) -> dict[str, str]:
    """Import each service's `__main__` (its guard keeps it from running); return failures."""
    failures = {}
    for module in modules:
        try:
            importlib.import_module(f"{module}.__main__")
        except BaseException:
            failures[module] = traceback.format_exc()
    return failures


def become(module: str, log: str, env: dict[str, str]) -> None:
    """In the forked child: detach, take the service's output and environment, run it."""
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    os.close(nothing)
    os.environ.clear()
    os.environ.update(env)
    sys.argv = [module]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


def serve(failures: dict[str, str]) -> None:
    """Answer fork requests until stdin ends; never returns in a child."""
    for line in sys.stdin:
        request: dict[str, Any] = json.loads(line)
        module = request["module"]
        if module in failures:
            with open(request["log"], "a") as log:
                log.write(failures[module])
            _answer({"error": failures[module].strip().splitlines()[-1]})
            continue
        pid = os.fork()
        if pid == 0:
            become(module, request["log"], request["env"])
            raise SystemExit(0)
        _answer({"pid": pid})


def _answer(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> None:
    # The services' processes are reaped automatically; each child restores the default.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    serve(preload(sys.argv[1:]))


if __name__ == "__main__":
    main()
