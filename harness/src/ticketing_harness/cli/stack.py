"""The commands of the local stack: `up`, `down`, `status`, `restart` and `logs`."""

from __future__ import annotations

import re
import signal
import time
from datetime import datetime
from typing import Annotated

import typer
from rich.text import Text

from ticketing_harness.cli.output import StateDir, console, interrupt, layout_for, reports_errors
from ticketing_harness.errors import HarnessError
from ticketing_harness.local.control import logs as log_files
from ticketing_harness.local.layout import COMPONENT_NAMES, SUPERVISOR
from ticketing_harness.local.notices import Kind, Level, Notice
from ticketing_harness.local.state import StackState, running_stack

_STYLES = {Level.INFO: "", Level.WARNING: "yellow", Level.ERROR: "bold red"}


def register(app: typer.Typer) -> None:
    """Add `up`, `down`, `status`, `restart` and `logs` to the `ticketing` command."""
    for command in (up, down, status, restart, logs):
        app.command()(command)


@reports_errors
def up(
    port: Annotated[int, typer.Option(min=1, max=65535, help="The gateway's port.")] = 8080,
    detach: Annotated[
        bool, typer.Option("--detach", help="Return once ready; leave it running.")
    ] = False,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Start with empty databases and queues.")
    ] = False,
    expiration_seconds: Annotated[
        int, typer.Option(min=1, help="How long an unpaid order holds its ticket.")
    ] = 900,
    tls: Annotated[
        bool, typer.Option("--tls", help="Serve https with the local certificate.")
    ] = False,
    reload: Annotated[
        bool,
        typer.Option(
            "--reload", help="Restart a service when its code changes (all: shared code)."
        ),
    ] = False,
    replicas: Annotated[
        str,
        typer.Option(
            metavar="SERVICE=N,...",
            help="Processes per service, e.g. orders=3,tickets=2; the gateway balances them.",
            show_default="one each",
        ),
    ] = "",
    timeout: Annotated[float, typer.Option(help="Seconds each component may take.")] = 60.0,
    state_dir: StateDir = None,
) -> None:
    """Start the whole system locally, behind an nginx gateway.

    A supervisor keeps every process running, in the foreground or with --detach, until
    Ctrl-C or `ticketing down`.
    """
    started_at = time.monotonic()
    layout = layout_for(state_dir)
    # Imported here: the servers' modules take a moment to load, which other commands need not pay.
    from ticketing_harness.certificates import ensure_certificates, trust_instructions
    from ticketing_harness.local.control.progress import Progress
    from ticketing_harness.local.control.status import component_statuses, status_table
    from ticketing_harness.local.control.up import (
        SupervisorProcess,
        refuse_second_stack,
        start_lock,
    )
    from ticketing_harness.local.notices import Phase
    from ticketing_harness.local.options import UpOptions, preflight
    from ticketing_harness.local.replicas import parse_replicas
    from ticketing_harness.stripe_key import stripe_key_from_environment

    options = UpOptions(
        layout=layout,
        port=port,
        fresh=fresh,
        expiration_seconds=expiration_seconds,
        tls=tls,
        stripe_secret_key=stripe_key_from_environment(),
        timeout=timeout,
        replicas=parse_replicas(replicas),
        reload=reload,
    )
    with start_lock(layout):
        refuse_second_stack(layout)
        preflight(options)
        if tls:
            files, created = ensure_certificates(layout.certs_dir)
            if created:
                console.print(trust_instructions(files), soft_wrap=True)
        # `ticketing down` from another shell, or the terminal closing, stop it like Ctrl-C.
        signal.signal(signal.SIGTERM, interrupt)
        signal.signal(signal.SIGHUP, interrupt)
        supervisor = SupervisorProcess(options, attached=not detach)
        progress = Progress(console)

        def on_notice(notice: Notice) -> None:
            if notice.kind is Kind.PHASE:
                progress(notice.name, Phase(notice.phase), notice.text)
            else:
                _show(notice)

        try:
            with progress:
                url = supervisor.until_ready(on_notice)
        except BaseException:
            supervisor.stop()
            raise
    state = running_stack(layout)
    if state is not None:
        console.print(status_table(state, component_statuses(state)))
    console.print(f"[bold green]Ready[/] in {time.monotonic() - started_at:.1f}s at [bold]{url}[/]")
    if detach:
        supervisor.detach()
        return
    console.print("Press Ctrl-C to stop.")
    try:
        for notice in supervisor.notices():
            _show(notice)
    except KeyboardInterrupt:
        console.print("Stopping...")
        supervisor.stop()
        console.print("Stopped.")
        return
    if supervisor.process.wait() != 0:
        raise supervisor.died()
    console.print("Stopped (`ticketing down`).")


def _show(notice: Notice) -> None:
    """A supervisor's note as a line of live output: the time, then what happened."""
    text = Text(f"{datetime.now():%H:%M:%S} ", style="dim")
    text.append(notice.text, style=_STYLES[notice.level])
    console.print(text, soft_wrap=True)


@reports_errors
def down(state_dir: StateDir = None) -> None:
    """Stop every process the stack started; safe to run again."""
    from ticketing_harness.local.shutdown import stop_stack

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
    """Show each process's state, pid, port and restarts.

    Exits 0 when all are ready, 1 when not, 3 when the stack is stopped.
    """
    from ticketing_harness.local.control.status import component_statuses, status_json, status_table

    layout = layout_for(state_dir)
    state = running_stack(layout)
    if state is None:
        if json_output:
            console.print_json(status_json(None, []))
        else:
            console.print(f"Not running (state in {layout.root}).")
        raise typer.Exit(3)
    statuses = component_statuses(state)
    if json_output:
        console.print_json(status_json(state, statuses))
    else:
        console.print(status_table(state, statuses))
    if not all(item.ready for item in statuses):
        raise typer.Exit(1)


@reports_errors
def restart(
    names: Annotated[
        list[str],
        typer.Argument(
            metavar="SERVICE|all ...",
            help="A service (all its processes, one after another), one process (orders#2), "
            "a server, the gateway, or all services.",
        ),
    ],
    state_dir: StateDir = None,
) -> None:
    """Restart services on the same ports, with the same data."""
    from ticketing_harness.local.control.restart import request_restart

    layout = layout_for(state_dir)
    for notice in request_restart(layout, names, timeout=600):
        if notice.kind is not Kind.DONE:
            _show(notice)
        elif notice.level is Level.ERROR:
            raise HarnessError(notice.text or "the restart failed; see the lines above")


@reports_errors
def logs(
    component: Annotated[
        str | None,
        typer.Argument(
            help=f"One of: {', '.join(COMPONENT_NAMES)}, {SUPERVISOR} (a service means all its "
            "processes; orders#2 one of them). All, merged in time order, if omitted."
        ),
    ] = None,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing.")] = False,
    lines: Annotated[int, typer.Option("--lines", "-n", min=0, help="How many lines.")] = 50,
    grep: Annotated[
        str | None,
        typer.Option(
            help="Only lines matching this regular expression.", show_default="every line"
        ),
    ] = None,
    state_dir: StateDir = None,
) -> None:
    """Print one component's log, or all of them merged in time order.

    With --follow, keep printing new lines until Ctrl-C.
    """
    chosen = log_files.of_component(layout_for(state_dir), component)
    try:
        pattern = re.compile(grep) if grep is not None else None
    except re.error as error:
        raise HarnessError(f"--grep {grep!r} is not a regular expression: {error}") from None

    def write(line: Text) -> None:
        console.print(line, soft_wrap=True, highlight=False)

    start = log_files.end_offsets(chosen)
    for line in log_files.merged(chosen, lines, pattern):
        write(log_files.render(line, chosen))
    if follow:
        try:
            log_files.follow(chosen, write, start, pattern)
        except KeyboardInterrupt:
            return
