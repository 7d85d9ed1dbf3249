"""`ticketing up`: start the servers, the services and the gateway in parallel, wait until ready.

Each component can then be started again on its own, on the same port with the same data:
the supervisor does so after a crash, a change of code or `ticketing restart`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ticketing_harness.components import DATABASES, SERVICES, Server
from ticketing_harness.local.layout import GATEWAY
from ticketing_harness.local.notices import Phase
from ticketing_harness.local.options import UpOptions, servers_for
from ticketing_harness.local.replicas import all_instances
from ticketing_harness.local.state import ComponentState, StackState
from ticketing_harness.local.supervisor.gateway import GatewayConfig, start_gateway, write_config
from ticketing_harness.local.supervisor.launcher import Launcher, LaunchFailed
from ticketing_harness.local.supervisor.listeners import Listeners
from ticketing_harness.local.supervisor.readiness import (
    Probe,
    StartFailed,
    answers_at_all,
    answers_ok,
    until_ready,
)
from ticketing_harness.local.supervisor.wiring import Instance, gateway_config, instance
from ticketing_harness.servers import PostgresServer, ServerError, ServerProcess
from ticketing_harness.servers.lifecycle import ProcessRecord, exit_code, stop
from ticketing_harness.waiting import wait_until

Observer = Callable[[str, Phase, str], None]


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
    listeners: Listeners = field(default_factory=Listeners)
    started_at: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _starts: threading.Condition = field(default_factory=threading.Condition)
    _in_flight: int = 0
    _closed: bool = False

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
        self.listeners.listen([n for group in names.values() for n in group], self.options.port)
        ports = {service: [self.listeners.port(n) for n in names[service]] for service in names}
        self.gateway = gateway_config(self.options, ports)
        self.instances = {
            name: instance(
                service, name, port, self.options, self.servers, self.gateway.internal_url
            )
            for service in SERVICES
            for name, port in zip(names[service.name], ports[service.name], strict=True)
        }
        self.state.url = self.gateway.url
        self.save()
        for name in (*[s.value for s in self.servers], *self.instances, GATEWAY):
            self.observe(name, Phase.WAITING, "")
        server_tasks = {kind: asyncio.create_task(self._server(kind)) for kind in self.servers}
        tasks = [*server_tasks.values(), asyncio.create_task(self._gateway())]
        for service_instance in self.instances.values():
            tasks.append(asyncio.create_task(self._after_servers(service_instance, server_tasks)))
        await asyncio.gather(*tasks)
        self.state.status = "ready"
        self.save()
        return self.state

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

    def reported_exit(self, name: str, record: ProcessRecord) -> int | None:
        """The exit status, once whoever reaps the process has told it (a moment after)."""
        wait_until(lambda: self.exit_code(name, record) is not None, timeout=1.0)
        return self.exit_code(name, record)

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
        self.listeners.close_all()

    def save(self) -> None:
        """Write the state file now (the supervisor changed what it says about a process)."""
        with self._lock:
            self.state.save(self.options.layout.state_file)

    async def _server(self, kind: Server) -> None:
        server = self.servers[kind]
        self.observe(kind.value, Phase.STARTING, f"port {server.port}")
        try:
            await asyncio.to_thread(self._start_server, kind, server)
        except ServerError as error:
            self.observe(kind.value, Phase.FAILED, "")
            raise StartFailed(f"{kind.value} failed to start: {error}") from error
        if isinstance(server, PostgresServer):
            await server.ensure_databases(DATABASES)
        self._ready(kind.value, f"port {server.port}")

    async def _gateway(self) -> None:
        config = self.gateway
        self.observe(GATEWAY, Phase.STARTING, config.url)
        write_config(config)
        record = start_gateway(config)
        log = config.log_dir / "gateway.log"
        self._record(GATEWAY, record.pid, config.port, log, "SIGTERM", record.create_time)
        await self._until_ready(GATEWAY, record, log, answers_at_all(f"{config.internal_url}/"))
        self._ready(GATEWAY, config.url)

    async def _after_servers(
        self, service_instance: Instance, servers: Mapping[Server, asyncio.Task[None]]
    ) -> None:
        """Fork the service from the launcher once the servers it needs are ready."""
        needs = service_instance.service.needs
        await asyncio.gather(*(servers[kind] for kind in needs if kind in servers))
        await self._service(service_instance)

    async def _service(self, service_instance: Instance) -> None:
        name = service_instance.name
        self.observe(name, Phase.STARTING, f"port {service_instance.port}")
        try:
            record = await asyncio.to_thread(self._spawn_service, service_instance)
        except LaunchFailed:
            self.observe(name, Phase.FAILED, "")
            raise
        probe = answers_ok(service_instance.ready_url)
        await self._until_ready(name, record, service_instance.log, probe)
        self._ready(name, f"port {service_instance.port}")

    async def _until_ready(self, name: str, record: ProcessRecord, log: Path, probe: Probe) -> None:
        try:
            await until_ready(
                name,
                record,
                log,
                probe,
                self.options.timeout,
                lambda: self.reported_exit(name, record),
            )
        except StartFailed:
            self.observe(name, Phase.FAILED, "")
            raise

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

    def _spawn_service(self, service_instance: Instance) -> ProcessRecord:
        """Runs in a thread: it records what it started."""
        name = service_instance.name
        with self._starting(name):
            record = self.live_launcher().spawn(
                service_instance.service.module,
                service_instance.log,
                service_instance.env,
                self.options.timeout,
                name,
                [self.listeners.listener(name)],
            )
            self._record(
                name,
                record.pid,
                service_instance.port,
                service_instance.log,
                "SIGTERM",
                record.create_time,
                service_instance.ready_url,
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
        self.observe(name, Phase.READY, f"{detail} ({self.elapsed:.1f}s)")
