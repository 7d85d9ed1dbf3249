"""`ticketing up --reload`: restart the services whose code changed, once it loads."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from ticketing_harness.components import SERVICES
from ticketing_harness.local.notices import Level
from ticketing_harness.local.replicas import service_of
from ticketing_harness.local.supervisor.launcher import LaunchFailed
from ticketing_harness.local.supervisor.recovery import Note
from ticketing_harness.local.supervisor.requests import Requests
from ticketing_harness.local.supervisor.sources import find_packages, plan_reload, watched_roots
from ticketing_harness.local.supervisor.startup import Startup

log = logging.getLogger("ticketing.supervisor")

_TRACEBACK_LINES = 8


class Reloading:
    """Watches the services' sources; loads what changed in the launcher, then restarts."""

    def __init__(self, startup: Startup, requests: Requests, note: Note) -> None:
        self.startup = startup
        self.requests = requests
        self.note = note

    async def watch(self, stopping: asyncio.Event) -> None:
        """Until `stopping` is set."""
        from watchfiles import awatch

        packages = find_packages(SERVICES)
        roots = watched_roots(packages)
        log.info("reloading on changes under %s", ", ".join(map(str, roots)))
        async for changes in awatch(*roots, stop_event=stopping):
            plan = plan_reload((Path(path) for _, path in changes), packages)
            for path in plan.served:
                self.note(
                    f"{_shown(path)} changed: served as it is, no restart needed", Level.INFO, None
                )
            if plan.services:
                await self._reload(plan.services, plan.packages, plan.changed)

    async def _reload(
        self, services: tuple[str, ...], packages: tuple[str, ...], changed: tuple[Path, ...]
    ) -> None:
        files = ", ".join(_shown(path) for path in changed)
        names = [n for n in self.startup.instances if service_of(n) in services]
        self.note(f"{files} changed: restarting {_processes_of(services, names)}", Level.INFO, None)
        modules = [service.module for service in SERVICES if service.name in services]
        try:
            error = await asyncio.to_thread(
                self.startup.live_launcher().reload,
                packages,
                modules,
                changed,
                self.startup.options.timeout,
            )
        except LaunchFailed as failure:
            error = str(failure)
        self.startup.state.reload_error = error or ""
        self.startup.save()
        if error is not None:
            where = "\n".join(error.strip().splitlines()[-_TRACEBACK_LINES:])
            self.note(
                f"{files} does not load, so {', '.join(services)} keep running the code they "
                f"have; fix it and save again:\n{where}",
                Level.ERROR,
                None,
            )
            return
        await self.requests.restart_services(names)


def _processes_of(services: tuple[str, ...], names: list[str]) -> str:
    """`orders, tickets`, with the count of processes when some run several."""
    extra = len(names) - len(services)
    return ", ".join(services) + (f" ({len(names)} processes)" if extra else "")


def _shown(path: Path) -> str:
    """A path relative to the current directory when it lies inside it."""
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)
