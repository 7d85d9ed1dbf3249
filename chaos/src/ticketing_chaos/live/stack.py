"""The stack of one chaos run: `ticketing up`'s machinery in a directory of its own, with the
fault layer on, and an audit of every replicated row for the checks."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from types import TracebackType
from typing import Self

import asyncpg

from ticketing_chaos.canaries import disable_in_orders_database
from ticketing_common.faults.canaries import Canary
from ticketing_harness.components import SERVICES
from ticketing_harness.local.connections import StackConnections, stack_connections
from ticketing_harness.local.layout import Layout
from ticketing_harness.local.notices import Phase
from ticketing_harness.local.options import UpOptions, preflight
from ticketing_harness.local.shutdown import stop_stack
from ticketing_harness.local.supervisor.launcher import Launcher
from ticketing_harness.local.supervisor.startup import Startup
from ticketing_harness.ports import free_port
from ticketing_harness.servers.lifecycle import ProcessRecord

# The tables whose every insert and update the checks replay, per database.
AUDITED = {
    "tickets": ("tickets",),
    "orders": ("tickets", "orders"),
    "payments": ("orders", "payments"),
}

_AUDIT = """
CREATE TABLE IF NOT EXISTS chaos_audit (
    seq       bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    relation  text NOT NULL,
    row       jsonb NOT NULL
);
CREATE OR REPLACE FUNCTION chaos_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO chaos_audit (relation, row) VALUES (TG_TABLE_NAME, to_jsonb(NEW));
    RETURN NULL;
END $$;
"""


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
        self.started_in = 0.0

    async def __aenter__(self) -> Self:
        preflight(self.options)
        modules = [service.module for service in SERVICES]
        self.launcher = Launcher(modules, self.layout.log_dir / "launcher.log")
        self.startup = Startup(self.options, _quiet, self.launcher)
        try:
            await self.startup.run()
            await self._audit()
            await disable_in_orders_database(self.connections.database_url("orders"), self.canaries)
        except BaseException:
            await self.stop()
            raise
        self.started_in = self.startup.elapsed
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
    def connections(self) -> StackConnections:
        return stack_connections(self.layout)

    def processes(self) -> dict[str, ProcessRecord]:
        """Each component's process now."""
        return {c.name: c.record for c in self.running.state.components}

    def service_port(self, name: str) -> int:
        return next(c.port for c in self.running.state.components if c.name == name)

    async def restart(self, name: str, *, kill: bool = False) -> None:
        await self.running.restart(name, kill=kill)

    async def _audit(self) -> None:
        """Record every insert and update of the audited tables, with the time it happened."""
        for database, tables in AUDITED.items():
            conn = await asyncpg.connect(self.connections.database_url(database))
            try:
                await conn.execute(_AUDIT)
                for table in tables:
                    await conn.execute(
                        f"CREATE TRIGGER chaos_audit AFTER INSERT OR UPDATE ON {table}"
                        " FOR EACH ROW EXECUTE FUNCTION chaos_audit()"
                    )
            finally:
                await conn.close()


def _quiet(name: str, phase: Phase, detail: str) -> None:
    """Start-up progress is not shown; a failure raises with the component's log."""
