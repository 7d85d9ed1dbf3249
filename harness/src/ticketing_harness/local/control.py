"""Finding, checking and stopping a stack from its state file: `status` and `down`."""

from __future__ import annotations

import os
import signal
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ticketing_harness.errors import HarnessError
from ticketing_harness.local.layout import COMPONENT_NAMES, GATEWAY, SERVER_NAMES, Layout
from ticketing_harness.local.processes import stop
from ticketing_harness.local.state import ComponentState, StackState
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
    """Each component's liveness and readiness, asked now, servers first."""
    ordered = sorted(state.components, key=lambda component: COMPONENT_NAMES.index(component.name))
    return [_status(component) for component in ordered]


def _status(component: ComponentState) -> ComponentStatus:
    running = component.record.alive()
    ready = running and (component.ready_url is None or _answers_ok(component.ready_url))
    return ComponentStatus(
        component.name, component.pid, component.port, running, ready, component.log
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
