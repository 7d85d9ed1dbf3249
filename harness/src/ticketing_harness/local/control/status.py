"""`ticketing status`: each component of a running stack asked now, as a table for people or
JSON for scripts."""

from __future__ import annotations

import json
import signal
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ticketing_harness.local.layout import COMPONENT_NAMES
from ticketing_harness.local.replicas import replica_number, service_of
from ticketing_harness.local.state import ComponentState, Condition, StackState

# Local addresses only: never through a proxy from the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


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
    """GET `url` answers 200 (urllib, not httpx, which takes a while to import)."""
    try:
        with _DIRECT.open(url, timeout=1.0) as response:
            return bool(response.status == 200)
    except OSError:  # refused, timed out, or an HTTP error status
        return False


_SUPERVISED = {
    Condition.RESTARTING: "[yellow]restarting[/]",
    Condition.BACKOFF: "[yellow]crashed, restarting[/]",
    Condition.FAILED: "[bold red]failed[/]",
}


def status_table(state: StackState, statuses: Sequence[ComponentStatus]) -> RenderableType:
    """One row per process: state, pid, port, restarts, last exit and log; then what failed."""
    table = Table(title=state.url, title_justify="left", caption=_caption(state))
    for column in ("component", "state", "pid", "port", "restarts", "last exit", "log"):
        table.add_column(column)
    for status in statuses:
        table.add_row(
            status.name,
            _state(status),
            str(status.pid),
            str(status.port),
            str(status.restarts),
            exit_status(status.last_exit),
            status.log,
        )
    problems: list[RenderableType] = [
        Text(f"{status.name} failed. Last lines of {status.log}:\n{status.failure}", style="red")
        for status in statuses
        if status.condition is Condition.FAILED
    ]
    if state.reload_error:
        problems.append(
            Text(f"The last change did not load:\n{state.reload_error.strip()}", style="red")
        )
    return Group(table, *problems)


def _state(status: ComponentStatus) -> str:
    if status.condition in _SUPERVISED:
        return _SUPERVISED[status.condition]
    if status.ready:
        return "[green]ready[/]"
    return "[yellow]not ready[/]" if status.running else "[red]stopped[/]"


def _caption(state: StackState) -> str:
    parts = [f"supervisor pid {state.owner_pid}"]
    if state.reload:
        parts.append("reload on save")
    if state.replicas:
        parts.append("replicas " + ",".join(f"{k}={v}" for k, v in state.replicas.items()))
    return escape(" · ".join(parts))


def exit_status(code: int | None) -> str:
    """How a process ended: `1`, `SIGKILL`, or `-` when it has not."""
    if code is None:
        return "-"
    if code < 0:
        return signal.Signals(-code).name
    return str(code)


def status_json(state: StackState | None, statuses: Sequence[ComponentStatus]) -> str:
    """The same as the table, for scripts."""
    running = bool(statuses) and all(status.running for status in statuses)
    ready = running and all(status.ready for status in statuses)
    body = {
        "url": state.url if state else "",
        "running": running,
        "ready": ready,
        "supervisor_pid": state.owner_pid if state else None,
        "reload": state.reload if state else False,
        "replicas": state.replicas if state else {},
        "reload_error": state.reload_error if state else "",
        "components": [asdict(status) for status in statuses],
    }
    return json.dumps(body, indent=2)
