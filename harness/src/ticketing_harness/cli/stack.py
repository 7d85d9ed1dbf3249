"""The commands of the local stack: `up`, `down`, `status` and `logs`."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from ticketing_harness.cli.output import StateDir, console, interrupt, layout_for, reports_errors
from ticketing_harness.components import SERVICES
from ticketing_harness.errors import HarnessError
from ticketing_harness.local import logs as log_files
from ticketing_harness.local.control import (
    component_statuses,
    refuse_second_stack,
    running_stack,
    stop_stack,
)
from ticketing_harness.local.launcher import Launcher
from ticketing_harness.local.layout import COMPONENT_NAMES, Layout
from ticketing_harness.local.processes import log_tail
from ticketing_harness.local.state import StackState
from ticketing_harness.local.status import status_json, status_table
from ticketing_harness.setup.certs import ensure_certificates, trust_instructions
from ticketing_harness.stripe_key import stripe_key_from_environment


def register(app: typer.Typer) -> None:
    """Add `up`, `down`, `status` and `logs` to the `ticketing` command."""
    for command in (up, down, status, logs):
        app.command()(command)


@reports_errors
def up(
    port: Annotated[int, typer.Option(min=1, max=65535, help="The gateway's port.")] = 8080,
    detach: Annotated[bool, typer.Option(help="Return once ready; leave it running.")] = False,
    fresh: Annotated[bool, typer.Option(help="Start with empty databases and queues.")] = False,
    expiration_seconds: Annotated[
        int, typer.Option(min=1, help="How long an unpaid order holds its ticket.")
    ] = 900,
    tls: Annotated[bool, typer.Option(help="Serve https with the local certificate.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds each component may take.")] = 60.0,
    state_dir: StateDir = None,
) -> None:
    """Start the whole system as local processes behind an nginx gateway."""
    started_at = time.monotonic()
    layout = layout_for(state_dir)
    stripe_key = stripe_key_from_environment()
    with _start_lock(layout):
        refuse_second_stack(layout)
        # Started before anything else: importing the services' code is the longest step.
        modules = [service.module for service in SERVICES]
        with contextlib.closing(Launcher(modules, layout.log_dir / "launcher.log")) as launcher:
            # Imported here: the servers' client libraries take a second to load, which the
            # other commands need not pay.
            from ticketing_harness.local.progress import Progress
            from ticketing_harness.local.startup import Startup
            from ticketing_harness.local.wiring import UpOptions, preflight

            options = UpOptions(
                layout=layout,
                port=port,
                fresh=fresh,
                expiration_seconds=expiration_seconds,
                tls=tls,
                stripe_secret_key=stripe_key,
                timeout=timeout,
            )
            preflight(options)
            if tls:
                files, created = ensure_certificates(layout.certs_dir)
                if created:
                    console.print(trust_instructions(files))
            progress = Progress(console)
            startup = Startup(options, progress, launcher, started_at=started_at)
            # `ticketing down` from another shell, or the terminal closing, stop it like Ctrl-C.
            signal.signal(signal.SIGTERM, interrupt)
            signal.signal(signal.SIGHUP, interrupt)
            try:
                with progress:
                    asyncio.run(startup.run())
            except BaseException:
                stop_stack(layout, startup.state)
                raise
        console.print(status_table(startup.state.url, component_statuses(startup.state)))
        console.print(
            f"[bold green]Ready[/] in {startup.elapsed:.1f}s at [bold]{startup.state.url}[/]"
        )
        if not detach:
            _supervise(layout, startup.state)


def _supervise(layout: Layout, state: StackState) -> None:
    """Run until Ctrl-C or `ticketing down`, or until a component dies; then stop the rest."""
    console.print("Press Ctrl-C to stop.")
    try:
        while True:
            dead = [component for component in state.components if not component.record.alive()]
            if dead:
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        console.print("Stopping...")
        stop_stack(layout, state)
        console.print("Stopped.")
        return
    stop_stack(layout, state)
    component = dead[0]
    raise HarnessError(
        f"{component.name} exited unexpectedly, so the stack was stopped. "
        f"Last lines of {component.log}:\n{log_tail(Path(component.log))}"
    )


@contextmanager
def _start_lock(layout: Layout) -> Iterator[None]:
    """Only one `up` at a time per state directory, even when two start at once."""
    layout.root.mkdir(parents=True, exist_ok=True)
    with layout.lock_file.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise HarnessError(
                f"another `ticketing up` is running with state in {layout.root}"
            ) from None
        yield


@reports_errors
def down(state_dir: StateDir = None) -> None:
    """Stop every process the stack started; safe to run again."""
    layout = layout_for(state_dir)
    state = StackState.load(layout.state_file)
    if state is None:
        console.print(f"Nothing is running (state in {layout.root}).")
        return
    stop_stack(layout, state, on_stop=lambda name: console.print(f"stopped {name}"))
    console.print("Stopped.")


@reports_errors
def status(
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    state_dir: StateDir = None,
) -> None:
    """Show each component's state; exit 0 when all are ready, 1 when not, 3 when stopped."""
    layout = layout_for(state_dir)
    state = running_stack(layout)
    if state is None:
        if json_output:
            console.print_json(status_json("", []))
        else:
            console.print(f"Not running (state in {layout.root}).")
        raise typer.Exit(3)
    statuses = component_statuses(state)
    if json_output:
        console.print_json(status_json(state.url, statuses))
    else:
        console.print(status_table(state.url, statuses))
    if not all(item.ready for item in statuses):
        raise typer.Exit(1)


@reports_errors
def logs(
    component: Annotated[
        str | None, typer.Argument(help=f"One of: {', '.join(COMPONENT_NAMES)}; all if omitted.")
    ] = None,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing.")] = False,
    lines: Annotated[int, typer.Option("--lines", "-n", help="Lines of each log.")] = 50,
    state_dir: StateDir = None,
) -> None:
    """Print the logs of one component or of all, optionally following them."""
    layout = layout_for(state_dir)
    if component is not None and component not in COMPONENT_NAMES:
        raise HarnessError(
            f"no component {component!r}; choose one of {', '.join(COMPONENT_NAMES)}"
        )
    names = [component] if component else list(COMPONENT_NAMES)
    chosen = [(name, layout.log_path(name)) for name in names]
    write = functools.partial(print, flush=True)
    start = log_files.end_offsets(chosen)
    log_files.show(chosen, lines, write)
    if follow:
        try:
            log_files.follow(chosen, write, start)
        except KeyboardInterrupt:
            return
