"""Stopping a stack in order, from the supervisor that owns it or from `ticketing down`."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from ticketing_harness.local.layout import GATEWAY, SERVER_NAMES, Layout
from ticketing_harness.local.state import ComponentState, StackState
from ticketing_harness.servers.lifecycle import stop
from ticketing_harness.waiting import wait_until


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
