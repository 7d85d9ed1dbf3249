"""The status of a running stack, as a table for people or JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from rich.table import Table

from ticketing_harness.local.control import ComponentStatus


def status_table(url: str, statuses: Sequence[ComponentStatus]) -> Table:
    """One row per component: state, pid, port and log."""
    table = Table(title=url, title_justify="left")
    for column in ("component", "state", "pid", "port", "log"):
        table.add_column(column)
    for status in statuses:
        state = (
            "[green]ready[/]"
            if status.ready
            else ("[yellow]not ready[/]" if status.running else "[red]stopped[/]")
        )
        table.add_row(status.name, state, str(status.pid), str(status.port), status.log)
    return table


def status_json(url: str, statuses: Sequence[ComponentStatus]) -> str:
    """The same as the table, for scripts."""
    running = bool(statuses) and all(status.running for status in statuses)
    ready = running and all(status.ready for status in statuses)
    body = {
        "url": url,
        "running": running,
        "ready": ready,
        "components": [asdict(status) for status in statuses],
    }
    return json.dumps(body, indent=2)
