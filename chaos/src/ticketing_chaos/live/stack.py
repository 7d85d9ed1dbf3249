"""The stack of one chaos run: `ticketing up`'s machinery in a directory of its own, with the
fault layer on, and an audit of every replicated row for the checks."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from types import TracebackType
from typing import Self

from ticketing_chaos.canaries import disable_in_orders_database
from ticketing_common.faults.canaries import Canary
from ticketing_harness.components import SERVICES
from ticketing_harness.evidence.access import StackAccess, local_access
from ticketing_harness.evidence.snapshot import TABLES
from ticketing_harness.evidence.stores import database
from ticketing_harness.evidence.tables import install_audit
from ticketing_harness.local.layout import Layout
from ticketing_harness.local.notices import Phase
from ticketing_harness.local.options import UpOptions, preflight
from ticketing_harness.local.shutdown import stop_stack
from ticketing_harness.local.supervisor.launcher import Launcher
from ticketing_harness.local.supervisor.startup import Startup
from ticketing_harness.ports import free_port
from ticketing_harness.servers.lifecycle import ProcessRecord


class ChaosStack:
    """The whole system, started in `root` on free ports, its services given `fault_plan`."""

    def __init__(
        self,
        root: Path,
        *,
        fault_plan: Path,
        expiration_seconds: int,
        canaries: tuple[Canary, ...] = (),
        timeout: float = 120.0,
    ) -> None:
        self.canaries = canaries
        self.layout = Layout(root)
        self.options = UpOptions(
            layout=self.layout,
            port=free_port(),
            fresh=True,
            expiration_seconds=expiration_seconds,
            timeout=timeout,
            fault_plan=fault_plan,
            broker_sync_always=True,  # a restarted broker keeps what it acknowledged
        )
        self.launcher: Launcher | None = None
        self.startup: Startup | None = None

    async def __aenter__(self) -> Self:
        preflight(self.options)
        modules = [service.module for service in SERVICES]
        self.launcher = Launcher(modules, self.layout.log_dir / "launcher.log")
        self.startup = Startup(self.options, _quiet, self.launcher)
        try:
            await self.startup.run()
            await self._audit()
            await disable_in_orders_database(self.access.database_url("orders"), self.canaries)
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def stop(self) -> None:
        """Stop every process, then drop the data (the logs stay for the report)."""
        if self.startup is not None:
            await asyncio.to_thread(self.startup.close)  # no more starts; its ports let go
            await asyncio.to_thread(stop_stack, self.layout, self.startup.state)
        if self.launcher is not None:
            self.launcher.close()
        shutil.rmtree(self.layout.data_dir, ignore_errors=True)

    @property
    def running(self) -> Startup:
        assert self.startup is not None, "the stack is not started"
        return self.startup

    @property
    def url(self) -> str:
        return self.running.state.url

    @property
    def access(self) -> StackAccess:
        return local_access(self.layout)

    def processes(self) -> dict[str, ProcessRecord]:
        """Each component's process now."""
        return {c.name: c.record for c in self.running.state.components}

    def service_port(self, name: str) -> int:
        return next(c.port for c in self.running.state.components if c.name == name)

    async def restart(self, name: str, *, kill: bool = False) -> None:
        await self.running.restart(name, kill=kill)

    async def _audit(self) -> None:
        """Record every insert and update of the replicated tables, with the time it happened."""
        for service in TABLES:
            async with database(service, self.access.database_url(service)) as conn:
                await install_audit(conn, service)


def _quiet(name: str, phase: Phase, detail: str) -> None:
    """Start-up progress is not shown; a failure raises with the component's log."""
