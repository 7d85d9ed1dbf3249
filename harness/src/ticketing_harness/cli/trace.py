"""`ticketing trace ID`: one purchase's causal chains across the services, as a tree."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.tree import Tree

from ticketing_harness.cli.output import StateDir, console, layout_for, reports_errors
from ticketing_harness.errors import HarnessError

if TYPE_CHECKING:
    from ticketing_harness.events.stream import StreamEvent
    from ticketing_harness.events.trace import Step

_OUTCOMES = {"applied": "green", "skipped": "dim", "retry": "yellow"}


def register(app: typer.Typer) -> None:
    """Add `trace` to the `ticketing` command."""
    app.command()(trace)


@reports_errors
def trace(
    wanted: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="An order id, a ticket id, a request id (X-Request-Id) or an event id.",
        ),
    ],
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    state_dir: StateDir = None,
) -> None:
    """Print the causal chains of an id as a tree.

    Each request, the events it caused in every service, and each consumer's deliveries with
    their outcome, from the stream and the logs of the running stack.
    """
    from ticketing_common.contracts import load_catalog
    from ticketing_harness.events.connection import tool_bus
    from ticketing_harness.events.stream import read
    from ticketing_harness.events.trace import build, chains_of, read_logs, start_of
    from ticketing_harness.evidence.access import local_access

    layout = layout_for(state_dir)
    url = local_access(layout).nats()
    catalog = load_catalog()

    async def everything() -> list[StreamEvent]:
        async with tool_bus(url, catalog) as bus:
            return [event async for event in read(bus, list(catalog.stream_subjects))]

    events = asyncio.run(everything())
    logs = [(path.stem, path) for path in sorted(layout.log_dir.glob("*.log"))]
    logged = read_logs(logs)
    chains = chains_of(wanted, events, logged)
    if not chains:
        raise HarnessError(
            f"nothing in the stream or the logs of the running stack mentions {wanted!r}; "
            "give an order id, a ticket id or a request id"
        )
    roots = build(chains, events, logged, catalog)
    start = start_of(roots)
    if json_output:
        console.print_json(json.dumps([root.to_json(start) for root in roots]))
        return
    console.print(_tree(wanted, roots, start), soft_wrap=True)


def _tree(wanted: str, roots: Sequence[Step], start: datetime | None) -> Tree:
    steps = [step for root in roots for step in root.walk()]
    requests = sum(1 for step in steps if step.kind == "request")
    events = sum(1 for step in steps if step.kind == "event")
    tree = Tree(f"[bold]{escape(wanted)}[/]: {requests} requests, {events} events")
    for root in roots:
        _add(tree, root, start)
    return tree


def _add(parent: Tree, step: Step, start: datetime | None) -> None:
    branch = parent.add(_label(step, start))
    for child in step.steps:
        _add(branch, child, start)


def _label(step: Step, start: datetime | None) -> str:
    when = ""
    if step.time is not None and start is not None:
        offset = (step.time - start).total_seconds()
        when = f"{step.time.astimezone():%H:%M:%S.%f}"[:-3] + f" +{offset:.3f}s"
    service = f"[cyan]{escape(step.service)}[/]"
    if step.kind == "request":
        status = step.outcome
        colour = "green" if status.startswith(("2", "3")) else "red"
        return (
            f"[bold]{escape(step.title)}[/] → [{colour}]{status}[/]  {service}  {when}  "
            f"request {step.id}"
        )
    if step.kind == "event":
        version = "" if step.version is None else f" v{step.version}"
        return f"[bold magenta]{step.title}[/]{version}  {service}  {when}  event {step.id}"
    if step.kind == "delivery":
        colour = _OUTCOMES.get(step.outcome.partition(",")[0], "bold red")
        return f"{escape(step.title)}  {service}  [{colour}]{escape(step.outcome)}[/]  {when}"
    if step.kind == "log":
        colour = "red" if step.outcome in ("ERROR", "CRITICAL") else "dim"
        return f"[{colour}]{escape(step.outcome)} {escape(step.title)}[/]  {service}  {when}"
    return f"[dim]{service}: {escape(step.title)}[/]"
