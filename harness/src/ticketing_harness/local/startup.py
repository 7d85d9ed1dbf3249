"""`ticketing up`: start the servers, the services and the gateway in parallel, wait until ready.

Each component can then be started again on its own, on the same port with the same data:
the supervisor does so after a crash, a change of code or `ticketing restart`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import asyncpg
import httpx

from ticketing_common.http import LISTEN_BACKLOG
from ticketing_harness.components import DATABASES, SERVICES, Server, Service
from ticketing_harness.errors import HarnessError
from ticketing_harness.local.gateway import GatewayConfig, start_gateway, write_config
from ticketing_harness.local.launcher import Launcher, LaunchFailed
from ticketing_harness.local.layout import GATEWAY
from ticketing_harness.local.replicas import all_instances
from ticketing_harness.local.state import ComponentState, StackState
from ticketing_harness.local.wiring import UpOptions, gateway_config, servers_for, service_env
from ticketing_harness.servers import (
    PostgresServer,
    ServerError,
    ServerProcess,
)
from ticketing_harness.servers.lifecycle import ProcessRecord, exit_code, log_tail, stop
from ticketing_harness.waiting import wait_until


class Phase(StrEnum):
    """Where a component is in its start."""

    WAITING = "waiting"
    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"


Observer = Callable[[str, Phase, str], None]


class StartFailed(HarnessError):
    """A component did not become ready; the message names it and shows its log."""


@dataclass(frozen=True)
class Instance:
    """One process of a service (`orders`, `orders#2`): its port, log and environment."""

    name: str
    service: Service
    port: int
    log: Path
    env: Mapping[str, str]

    @property
    def ready_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/readyz"


def listening_socket(port: int = 0, *, besides: int = 0) -> socket.socket:
    """A socket listening on a local port as the service itself would listen: `port`, or a free
    one other than `besides` (the gateway's, chosen before nginx binds it, so the kernel may
    offer it again)."""
    listener = socket.create_server(("127.0.0.1", port), backlog=LISTEN_BACKLOG)
    if port or listener.getsockname()[1] != besides:
        return listener
    with listener:  # held while the kernel offers another
        return socket.create_server(("127.0.0.1", 0), backlog=LISTEN_BACKLOG)


@dataclass
class Startup:
    """One run of `up`: the processes started so far, recorded in the state file as they start."""

    options: UpOptions
    observe: Observer
    launcher: Launcher
    state: StackState = field(init=False)
    servers: dict[Server, ServerProcess] = field(init=False)
    instances: dict[str, Instance] = field(init=False)
    gateway: GatewayConfig = field(init=False)
    started_at: float = field(default_factory=time.monotonic)
    ready_after: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _starts: threading.Condition = field(default_factory=threading.Condition)
    _in_flight: int = 0
    _closed: bool = False
    # The stack keeps each instance's listening socket open and hands it to each of its
    # processes: the port never changes hands between restarts, and a connection made while
    # the process restarts waits in the socket's queue instead of being refused.
    _listeners: dict[str, socket.socket] = field(default_factory=dict)

    def __post_init__(self) -> None:
        me = ProcessRecord.of(os.getpid())
        self.state = StackState(
            me.pid,
            me.create_time,
            url="",
            reload=self.options.reload,
            replicas=dict(self.options.replicas),
        )

    async def run(self) -> StackState:
        """Start everything; on any failure the caller stops what `state` lists."""
        self.servers = servers_for(self.options)
        names = all_instances(self.options.replicas)
        self._listeners = {
            name: listening_socket(besides=self.options.port)
            for group in names.values()
            for name in group
        }
        ports = {
            service: [self._listeners[name].getsockname()[1] for name in names[service]]
            for service in names
        }
        self.gateway = gateway_config(self.options, ports)
        self.instances = {
            name: self._instance(service, name, port)
            for service in SERVICES
            for name, port in zip(names[service.name], ports[service.name], strict=True)
        }
        self.state.url = self.gateway.url
        self.save()
        for name in (*[s.value for s in self.servers], *self.instances, GATEWAY):
            self.observe(name, Phase.WAITING, "")
        server_tasks = {kind: asyncio.create_task(self._server(kind)) for kind in self.servers}
        tasks = [*server_tasks.values(), asyncio.create_task(self._gateway())]
        for instance in self.instances.values():
            tasks.append(asyncio.create_task(self._after_servers(instance, server_tasks)))
        await asyncio.gather(*tasks)
        self.state.status = "ready"
        self.save()
        return self.state

    def _instance(self, service: Service, name: str, port: int) -> Instance:
        env = {
            **service_env(service, self.options, self.servers, self.gateway.internal_url),
            "PORT": str(port),
            "JWT_KEY": self.options.layout.jwt_key(),
        }
        return Instance(name, service, port, self.options.layout.log_path(name), env)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started_at

    async def restart(self, name: str, *, kill: bool = False) -> None:
        """Stop one component and start it again on the same port with the same data.

        `kill` stops it with SIGKILL, like a crash. Raises StartFailed if it does not come back.
        """
        component = self.state.component(name)
        if component is not None:
            await asyncio.to_thread(self._stop, name, component, kill)
        await self.start(name)

    def _stop(self, name: str, component: ComponentState, kill: bool) -> None:
        if name in self.instances or name == GATEWAY:
            stop(component.record, signal.SIGKILL if kill else component.signal)
            return
        server = self.servers[Server(name)]
        server.kill() if kill else server.stop()

    async def start(self, name: str) -> None:
        """Start one component that is not running; raise StartFailed if it does not get ready."""
        if name in self.instances:
            await self._service(self.instances[name])
        elif name == GATEWAY:
            await self._gateway()
        else:
            await self._server(Server(name))

    def exit_code(self, name: str, record: ProcessRecord) -> int | None:
        """How a component's process ended, when this stack started it; None if unknown."""
        if name in self.instances:
            return self.launcher.exit_codes.get(record.pid)
        if name == GATEWAY:
            return exit_code(record)
        return self.servers[Server(name)].returncode

    async def _server(self, kind: Server) -> None:
        server = self.servers[kind]
        self.observe(kind.value, Phase.STARTING, f"port {server.port}")
        try:
            await asyncio.to_thread(self._start_server, kind, server)
        except ServerError as error:
            self.observe(kind.value, Phase.FAILED, "")
            raise StartFailed(f"{kind.value} failed to start: {error}") from error
        if isinstance(server, PostgresServer):
            await _ensure_databases(server, DATABASES)
        self._ready(kind.value, f"port {server.port}")

    def live_launcher(self) -> Launcher:
        """The launcher, started again if it ended (a service keeps the one that forked it)."""
        with self._lock:
            if not self.launcher.alive:
                self.launcher = self.launcher.started_again()
            return self.launcher

    def close(self) -> None:
        """Start no more processes; once it returns, every one started is in the state file."""
        with self._starts:
            self._closed = True
            self._starts.wait_for(lambda: self._in_flight == 0)
        for listener in self._listeners.values():
            listener.close()

    def stop_listening(self, name: str) -> None:
        """Refuse connections to an instance given up on (the gateway tries its replicas), until
        it is started again."""
        with self._lock:
            self._listeners[name].close()

    def _listener(self, instance: Instance) -> socket.socket:
        with self._lock:
            listener = self._listeners[instance.name]
            if listener.fileno() == -1:
                listener = self._listeners[instance.name] = listening_socket(instance.port)
            return listener

    @contextmanager
    def _starting(self, name: str) -> Iterator[None]:
        """A start in a thread, which outlives a cancelled start: `close` waits for it."""
        with self._starts:
            if self._closed:
                raise StartFailed(f"{name} was not started: the stack is stopping")
            self._in_flight += 1
        try:
            yield
        finally:
            with self._starts:
                self._in_flight -= 1
                self._starts.notify_all()

    def _spawn_service(self, instance: Instance) -> ProcessRecord:
        """Runs in a thread: it records what it started."""
        with self._starting(instance.name):
            record = self.live_launcher().spawn(
                instance.service.module,
                instance.log,
                instance.env,
                self.options.timeout,
                instance.name,
                [self._listener(instance)],
            )
            self._record(
                instance.name,
                record.pid,
                instance.port,
                instance.log,
                "SIGTERM",
                record.create_time,
                instance.ready_url,
            )
        return record

    def _start_server(self, kind: Server, server: ServerProcess) -> None:
        """Runs in a thread: it records what it started."""
        with self._starting(kind.value):
            try:
                server.start()
            finally:
                if server.pid is not None:
                    signal_name = server.stop_signal.name
                    self._record(kind.value, server.pid, server.port, server.log_path, signal_name)

    async def _gateway(self) -> None:
        config = self.gateway
        self.observe(GATEWAY, Phase.STARTING, config.url)
        write_config(config)
        record = start_gateway(config)
        log = config.log_dir / "gateway.log"
        self._record(GATEWAY, record.pid, config.port, log, "SIGTERM", record.create_time)
        await self._until_ready(GATEWAY, record, log, lambda client: _answers(client, config))
        self._ready(GATEWAY, config.url)

    async def _after_servers(
        self, instance: Instance, servers: Mapping[Server, asyncio.Task[None]]
    ) -> None:
        """Fork the service from the launcher once the servers it needs are ready."""
        await asyncio.gather(*(servers[kind] for kind in instance.service.needs if kind in servers))
        await self._service(instance)

    async def _service(self, instance: Instance) -> None:
        self.observe(instance.name, Phase.STARTING, f"port {instance.port}")
        try:
            record = await asyncio.to_thread(self._spawn_service, instance)
        except LaunchFailed:
            self.observe(instance.name, Phase.FAILED, "")
            raise
        ready_url = instance.ready_url
        await self._until_ready(
            instance.name, record, instance.log, lambda client: _is_ok(client, ready_url)
        )
        self._ready(instance.name, f"port {instance.port}")

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
                    code = await asyncio.to_thread(self.reported_exit, name, record)
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

    def reported_exit(self, name: str, record: ProcessRecord) -> int | None:
        """The exit status, once whoever reaps the process has told it (a moment after)."""
        wait_until(lambda: self.exit_code(name, record) is not None, timeout=1.0)
        return self.exit_code(name, record)

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
        """Record a process in the state file; a restarted one replaces its earlier self."""
        if create_time is None:
            create_time = ProcessRecord.of(pid).create_time
        with self._lock:
            component = self.state.component(name)
            if component is None:
                component = ComponentState(
                    name, pid, create_time, port, os.fspath(log), stop_signal, ready_url
                )
                self.state.components.append(component)
            component.pid, component.create_time = pid, create_time
            self.state.save(self.options.layout.state_file)

    def _ready(self, name: str, detail: str) -> None:
        self.ready_after[name] = self.elapsed
        self.observe(name, Phase.READY, f"{detail} ({self.ready_after[name]:.1f}s)")

    def save(self) -> None:
        """Write the state file now (the supervisor changed what it says about a process)."""
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
