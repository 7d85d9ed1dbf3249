"""`ticketing events`: the running stack's events, consumers and dead letters, and replay."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.table import Table

from ticketing_harness.cli.output import StateDir, console, layout_for, reports_errors
from ticketing_harness.errors import HarnessError

if TYPE_CHECKING:
    from ticketing_common.bus import Bus
    from ticketing_harness.events.stream import StreamEvent

# The commands import the bus when they run, so other `ticketing` commands start fast.

events_app = typer.Typer(
    no_args_is_help=True,
    help="The running stack's events, consumers and dead letters.",
)

JsonOutput = Annotated[
    bool, typer.Option("--json", help="Print JSON (one object per line for tail).")
]
T = TypeVar("T")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def register(app: typer.Typer) -> None:
    """Add the `events` group to the `ticketing` command."""
    app.add_typer(events_app, name="events")


def _on_stack(state_dir: StateDir, work: Callable[[Bus], Awaitable[T]]) -> T:
    from ticketing_harness.events.connection import tool_bus
    from ticketing_harness.evidence.access import local_access

    url = local_access(layout_for(state_dir)).nats()

    async def run() -> T:
        async with tool_bus(url) as bus:
            return await work(bus)

    return asyncio.run(run())


@events_app.command()
@reports_errors
def tail(
    event_type: Annotated[
        str | None,
        typer.Option(
            "--type", help="Only this event type, e.g. order.created.", show_default="all"
        ),
    ] = None,
    service: Annotated[
        str | None,
        typer.Option(
            help="Only the events this service publishes or consumes.", show_default="all"
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Only events stored since: a duration (30s, 5m, 2h, 1d) or a time.",
            show_default="the first",
        ),
    ] = None,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new events.")
    ] = False,
    json_output: JsonOutput = False,
    state_dir: StateDir = None,
) -> None:
    """Print the stream's events, one line each.

    Each with its time, type, subject, id, producer, record and version, and whether it keeps
    its contract.
    """
    from ticketing_harness.events.stream import read

    subjects = _subjects(event_type, service)
    start = _since(since) if since else None

    async def show(bus: Bus) -> None:
        async for event in read(bus, subjects, since=start, follow=follow):
            if json_output:
                print(json.dumps(event.to_json()), flush=True)
            else:
                console.print(_line(event), soft_wrap=True, highlight=False)

    try:
        _on_stack(state_dir, show)
    except KeyboardInterrupt:
        return


def _subjects(event_type: str | None, service: str | None) -> list[str]:
    from ticketing_common.contracts import load_catalog

    catalog = load_catalog()
    if event_type is not None and event_type not in catalog.events:
        raise HarnessError(
            f"no event type {event_type!r}; choose one of {', '.join(catalog.events)}"
        )
    if service is not None and service not in catalog.services:
        raise HarnessError(f"no service {service!r}; choose one of {', '.join(catalog.services)}")
    chosen = [
        c
        for c in catalog.events.values()
        if (event_type is None or c.type == event_type)
        and (service is None or service == c.publisher or service in c.consumers)
    ]
    if not chosen:
        raise HarnessError(f"{service} neither publishes nor consumes {event_type}")
    if event_type is None and service is None:
        return list(catalog.stream_subjects)
    return [c.subject for c in chosen]


def _since(text: str) -> datetime:
    found = _DURATION.fullmatch(text.strip())
    if found:
        amount, unit = float(found.group(1)), _UNITS[found.group(2)]
        return datetime.now(UTC) - timedelta(**{unit: amount})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise HarnessError(
            f"--since {text!r} is neither a duration like 30s, 5m, 2h, 1d nor an ISO time"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _line(event: StreamEvent) -> str:
    version = "-" if event.version is None else f"v{event.version}"
    verdict = "[green]valid[/]" if event.valid else f"[red]INVALID[/] {_escape(event.problem)}"
    return (
        f"{event.time.astimezone(UTC):%H:%M:%S.%f}"[:-3]
        + f" #{event.seq} [bold]{event.type}[/] {event.subject} {event.id} "
        f"from {event.producer} record {event.record} {version} {verdict}"
    )


def _escape(text: str) -> str:
    return text.replace("[", "\\[")


@events_app.command()
@reports_errors
def consumers(json_output: JsonOutput = False, state_dir: StateDir = None) -> None:
    """Show each durable consumer's backlog and lag.

    Pending, redelivered and ack-pending messages, and the lag in messages and seconds.
    """
    from ticketing_harness.events.consumers import consumer_lags

    lags = _on_stack(state_dir, consumer_lags)
    if json_output:
        console.print_json(json.dumps([lag.to_json() for lag in lags]))
        return
    table = Table(title="durable consumers", title_justify="left")
    for column in ("consumer", "subject", "pending", "ack pending", "redelivered", "lag", "lag s"):
        table.add_column(column)
    for lag in lags:
        table.add_row(
            lag.name,
            lag.subject,
            str(lag.pending),
            str(lag.ack_pending),
            str(lag.redelivered),
            str(lag.lag_messages),
            f"{lag.lag_seconds:.1f}",
        )
    console.print(table)


@events_app.command()
@reports_errors
def dlq(json_output: JsonOutput = False, state_dir: StateDir = None) -> None:
    """List every dead letter, with its reason and payload.

    Each with its id, consumer, reason, number of deliveries and payload.
    """
    letters = _on_stack(state_dir, lambda bus: bus.dead_letters())
    if json_output:
        body = [
            {
                "id": letter.seq,
                "time": letter.time.isoformat() if letter.time else None,
                "consumer": letter.consumer,
                "subject": letter.subject,
                "reason": letter.reason,
                "deliveries": letter.deliveries,
                "payload": letter.payload.decode("utf-8", errors="replace"),
            }
            for letter in letters
        ]
        console.print_json(json.dumps(body))
        return
    if not letters:
        console.print("No dead letters.")
        return
    for letter in letters:
        console.print(
            f"[bold]#{letter.seq}[/] {letter.consumer} on {letter.subject}, "
            f"{letter.deliveries} deliveries: {_escape(letter.reason)}",
            soft_wrap=True,
        )
        console.print(
            f"  {letter.payload.decode('utf-8', errors='replace')}", markup=False, soft_wrap=True
        )


@events_app.command()
@reports_errors
def replay(
    letter_id: Annotated[
        int, typer.Argument(metavar="ID", help="The dead letter's id (see `dlq`).")
    ],
    state_dir: StateDir = None,
) -> None:
    """Send a dead letter back to its consumer, once.

    After a fix: only that consumer gets it again, and it leaves the dead-letter queue.
    """
    from ticketing_common.bus import DeadLetterNotFound

    async def send(bus: Bus) -> str:
        try:
            letter = await bus.replay_dead_letter(letter_id)
        except DeadLetterNotFound:
            raise HarnessError(
                f"no dead letter {letter_id} (already replayed?); "
                "list them with `ticketing events dlq`"
            ) from None
        return f"replayed dead letter {letter_id} to {letter.consumer} on {letter.subject}"

    console.print(_on_stack(state_dir, send))
