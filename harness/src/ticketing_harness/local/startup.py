"""`ticketing up`: start the servers, the services and the gateway in parallel, wait until ready."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import asyncpg
import httpx

from ticketing_harness.components import DATABASES, SERVICE_NAMES, SERVICES, Server, Service
from ticketing_harness.errors import HarnessError
from ticketing_harness.local.gateway import GatewayConfig, start_gateway, write_config
from ticketing_harness.local.launcher import Launcher, LaunchFailed
from ticketing_harness.local.layout import GATEWAY
from ticketing_harness.local.processes import ProcessRecord, exit_code, log_tail, stop
from ticketing_harness.local.state import ComponentState, StackState
from ticketing_harness.local.wiring import UpOptions, gateway_config, servers_for, service_env
from ticketing_harness.ports import free_ports
from ticketing_harness.servers import (
    PostgresServer,
    ServerError,
    ServerProcess,
)


class Phase(StrEnum):
    """Where a component is in its start."""

    WAITING = "waiting"
    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"


Observer = Callable[[str, Phase, str], None]


class StartFailed(HarnessError):
    """A component did not become ready; the message names it and shows its log."""


@dataclass
class Startup:
    """One run of `up`: the processes started so far, recorded in the state file as they start."""

    options: UpOptions
    observe: Observer
    launcher: Launcher
    state: StackState = field(init=False)
    servers: dict[Server, ServerProcess] = field(init=False)
    service_envs: dict[str, Mapping[str, str]] = field(default_factory=dict)
    started_at: float = field(default_factory=time.monotonic)
    ready_after: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        me = ProcessRecord.of(os.getpid())
        self.state = StackState(me.pid, me.create_time, url="")

    async def run(self) -> StackState:
        """Start everything; on any failure the caller stops what `state` lists."""
        options = self.options
        layout = options.layout
        self.servers = servers = servers_for(options)
        ports = service_ports(options.port)
        gateway = gateway_config(options, ports)
        self.state.url = gateway.url
        self._save()
        for name in (*[s.value for s in servers], *[s.name for s in SERVICES], GATEWAY):
            self.observe(name, Phase.WAITING, "")
        server_tasks = {
            kind: asyncio.create_task(self._server(kind, server))
            for kind, server in servers.items()
        }
        tasks = [*server_tasks.values(), asyncio.create_task(self._gateway(gateway))]
        for service in SERVICES:
            env = {
                **service_env(service, options, servers, gateway.internal_url),
                "PORT": str(ports[service.name]),
                "JWT_KEY": layout.jwt_key(),
            }
            self.service_envs[service.name] = env
            tasks.append(asyncio.create_task(self._service(service, env, server_tasks)))
        await asyncio.gather(*tasks)
        self.state.status = "ready"
        self._save()
        return self.state

    async def restart(self, name: str, *, kill: bool = False) -> None:
        """Stop one server or service of the running stack and start it again, same port and
        data; `kill` stops it with SIGKILL, like a crash. The state file follows.

        A service is forked again from the launcher, so this works while the launcher runs.
        """
        component = next(c for c in self.state.components if c.name == name)
        if name in self.service_envs:
            sig = signal.SIGKILL if kill else component.signal
            await asyncio.to_thread(stop, component.record, sig)
            self._forget(name)
            service = next(s for s in SERVICES if s.name == name)
            await self._service(service, self.service_envs[name], {})
            return
        server = self.servers[Server(name)]
        await asyncio.to_thread(server.kill if kill else server.stop)
        self._forget(name)
        await self._server(Server(name), server)

    def _forget(self, name: str) -> None:
        with self._lock:
            self.state.components = [c for c in self.state.components if c.name != name]
            self.state.save(self.options.layout.state_file)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started_at

    async def _server(self, kind: Server, server: ServerProcess) -> None:
        self.observe(kind.value, Phase.STARTING, f"port {server.port}")
        try:
            await asyncio.to_thread(self._start_server, kind, server)
        except ServerError as error:
            self.observe(kind.value, Phase.FAILED, "")
            raise StartFailed(f"{kind.value} failed to start: {error}") from error
        if isinstance(server, PostgresServer):
            await _ensure_databases(server, DATABASES)
        self._ready(kind.value, f"port {server.port}")

    def _spawn_service(
        self,
        service: Service,
        log: Path,
        env: Mapping[str, str],
        ready_url: str,
    ) -> ProcessRecord:
        """Runs in a thread, which outlives a cancelled start: it records what it started."""
        record = self.launcher.spawn(service.module, log, env, self.options.timeout)
        port = int(env["PORT"])
        self._record(service.name, record.pid, port, log, "SIGTERM", record.create_time, ready_url)
        return record

    def _start_server(self, kind: Server, server: ServerProcess) -> None:
        """Runs in a thread, which outlives a cancelled start: it records what it started."""
        try:
            server.start()
        finally:
            if server.pid is not None:
                self._record(
                    kind.value, server.pid, server.port, server.log_path, server.stop_signal.name
                )

    async def _gateway(self, config: GatewayConfig) -> None:
        self.observe(GATEWAY, Phase.STARTING, config.url)
        write_config(config)
        record = start_gateway(config)
        log = config.log_dir / "gateway.log"
        self._record(GATEWAY, record.pid, config.port, log, "SIGTERM", record.create_time)
        await self._until_ready(GATEWAY, record, log, lambda client: _answers(client, config))
        self._ready(GATEWAY, config.url)

    async def _service(
        self,
        service: Service,
        env: Mapping[str, str],
        servers: Mapping[Server, asyncio.Task[None]],
    ) -> None:
        """Fork the service from the launcher once the servers it needs are ready."""
        await asyncio.gather(*(servers[kind] for kind in service.needs if kind in servers))
        port = int(env["PORT"])
        log = self.options.layout.log_path(service.name)
        self.observe(service.name, Phase.STARTING, f"port {port}")
        ready_url = f"http://127.0.0.1:{port}/readyz"
        try:
            record = await asyncio.to_thread(self._spawn_service, service, log, env, ready_url)
        except LaunchFailed:
            self.observe(service.name, Phase.FAILED, "")
            raise
        await self._until_ready(service.name, record, log, lambda client: _is_ok(client, ready_url))
        self._ready(service.name, f"port {port}")

    async def _until_ready(
        self,
        name: str,
        record: ProcessRecord,
        log: Path,
        check: Callable[[httpx.AsyncClient], Awaitable[bool]],
    ) -> None:
        deadline = time.monotonic() + self.options.timeout
        async with httpx.AsyncClient(timeout=2.0) as client:
            while not await check(client):
                if not record.alive():
                    self.observe(name, Phase.FAILED, "")
                    code = exit_code(record)
                    how = "exited" if code is None else f"exited with code {code}"
                    raise StartFailed(
                        f"{name} {how} while starting. Last lines of {log}:\n{log_tail(log)}"
                    )
                if time.monotonic() > deadline:
                    self.observe(name, Phase.FAILED, "")
                    raise StartFailed(
                        f"{name} was not ready within {self.options.timeout:.0f}s. "
                        f"Last lines of {log}:\n{log_tail(log)}"
                    )
                await asyncio.sleep(0.05)

    def _record(
        self,
        name: str,
        pid: int,
        port: int,
        log: Path,
        stop_signal: str,
        create_time: float | None = None,
        ready_url: str | None = None,
    ) -> None:
        if create_time is None:
            create_time = ProcessRecord.of(pid).create_time
        component = ComponentState(
            name, pid, create_time, port, os.fspath(log), stop_signal, ready_url
        )
        with self._lock:
            self.state.components.append(component)
            self.state.save(self.options.layout.state_file)

    def _ready(self, name: str, detail: str) -> None:
        self.ready_after[name] = self.elapsed
        self.observe(name, Phase.READY, f"{detail} ({self.ready_after[name]:.1f}s)")

    def _save(self) -> None:
        with self._lock:
            self.state.save(self.options.layout.state_file)


async def _ensure_databases(server: PostgresServer, names: tuple[str, ...]) -> None:
    """Give each service a role and a database it owns, unless they exist (data survives `up`)."""
    connection = await asyncpg.connect(server.dsn())
    try:
        existing = {
            row["datname"] for row in await connection.fetch("SELECT datname FROM pg_database")
        }
    finally:
        await connection.close()
    for name in names:
        await server.create_role(name)
        if name not in existing:
            await server.create_database(name, owner=name)


async def _is_ok(client: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await client.get(url)).status_code == 200
    except httpx.TransportError:
        return False


async def _answers(client: httpx.AsyncClient, config: GatewayConfig) -> bool:
    """nginx answers at all (its upstreams may still be starting)."""
    try:
        await client.get(f"{config.internal_url}/", timeout=0.5)
    except httpx.TransportError:
        return False
    return True


def service_ports(gateway_port: int) -> dict[str, int]:
    """A free port per service, none of them the gateway's: it is chosen before and bound after."""
    chosen = [port for port in free_ports(len(SERVICE_NAMES) + 1) if port != gateway_port]
    return dict(zip(SERVICE_NAMES, chosen, strict=False))
