"""Finding, checking and stopping a stack from its state file: `status`, `restart` and `down`."""

from __future__ import annotations

import json
import os
import signal
import socket
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ticketing_harness.errors import HarnessError
from ticketing_harness.local.layout import COMPONENT_NAMES, GATEWAY, SERVER_NAMES, Layout
from ticketing_harness.local.notices import Kind, Notice
from ticketing_harness.local.replicas import replica_number, service_of
from ticketing_harness.local.state import ComponentState, Condition, StackState
from ticketing_harness.servers.lifecycle import stop
from ticketing_harness.waiting import wait_until


@dataclass(frozen=True)
class ComponentStatus:
    """What `status` reports for one component."""

    name: str
    pid: int
    port: int
    running: bool
    ready: bool
    log: str
    condition: Condition
    restarts: int
    last_exit: int | None
    failure: str


def running_stack(layout: Layout) -> StackState | None:
    """The stack recorded in the state directory, if any of its processes still runs."""
    state = StackState.load(layout.state_file)
    if state is None:
        return None
    if state.owner.alive() and state.owner_pid != os.getpid():
        return state
    return state if state.running() else None


def refuse_second_stack(layout: Layout) -> None:
    """Raise if a stack from this state directory still runs."""
    state = running_stack(layout)
    if state is not None:
        raise HarnessError(
            f"the stack is already running at {state.url} (state in {layout.root}); "
            "stop it with `ticketing down` or use another --state-dir"
        )


# Local addresses only: never through a proxy from the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def component_statuses(state: StackState) -> list[ComponentStatus]:
    """Each component's liveness and readiness, asked now: servers, services, gateway."""
    ordered = sorted(state.components, key=_position)
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(_status, ordered))


def _position(component: ComponentState) -> tuple[int, int]:
    return COMPONENT_NAMES.index(service_of(component.name)), replica_number(component.name)


def _status(component: ComponentState) -> ComponentStatus:
    running = component.record.alive()
    ready = running and (component.ready_url is None or _answers_ok(component.ready_url))
    return ComponentStatus(
        component.name,
        component.pid,
        component.port,
        running,
        ready,
        component.log,
        component.condition,
        component.restarts,
        component.last_exit,
        component.failure,
    )


def _answers_ok(url: str) -> bool:
    """GET `url` answers 200 (urllib, not httpx: every command imports this module)."""
    try:
        with _DIRECT.open(url, timeout=1.0) as response:
            return bool(response.status == 200)
    except OSError:  # refused, timed out, or an HTTP error status
        return False


def stop_stack(
    layout: Layout, state: StackState, on_stop: Callable[[str], None] = lambda _: None
) -> None:
    """Stop the gateway, then the services, then the servers; forget the state file."""
    if state.owner_pid != os.getpid() and state.owner.alive():
        # A foreground `up` owns the stack: let it shut down in order, as Ctrl-C would.
        os.kill(state.owner_pid, signal.SIGTERM)
        wait_until(lambda: not state.owner.alive(), timeout=30)
    stages = (
        [c for c in state.components if c.name == GATEWAY],
        [c for c in state.components if c.name not in SERVER_NAMES and c.name != GATEWAY],
        [c for c in state.components if c.name in SERVER_NAMES],
    )
    for stage in stages:
        with ThreadPoolExecutor(max_workers=max(len(stage), 1)) as pool:
            for name in pool.map(_stop_component, stage):
                on_stop(name)
    layout.state_file.unlink(missing_ok=True)


def _stop_component(component: ComponentState) -> str:
    stop(component.record, component.signal)
    return component.name


def request_restart(layout: Layout, names: Sequence[str], timeout: float) -> Iterator[Notice]:
    """Ask the stack's supervisor to restart `names`; what it reports, until it is done."""
    state = running_stack(layout)
    if state is None:
        raise HarnessError(
            f"no stack is running (state in {layout.root}); start it with `ticketing up`"
        )
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(timeout)
        try:
            connection.connect(os.fspath(layout.control_socket))
        except OSError:
            raise HarnessError(
                "the stack's supervisor is not answering (was it killed?); "
                "restart the stack with `ticketing down` and `ticketing up`"
            ) from None
        connection.sendall(json.dumps({"restart": list(names)}).encode() + b"\n")
        with connection.makefile("rb") as answers:
            for line in answers:
                notice = Notice.parse(line)
                yield notice
                if notice.kind is Kind.DONE:
                    return
    raise HarnessError("the stack's supervisor stopped before it finished")
