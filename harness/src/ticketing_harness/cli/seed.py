"""`ticketing seed`: demo users, tickets and orders in the running stack, through its APIs."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.table import Table

from ticketing_harness.cli.output import StateDir, console, layout_for, reports_errors
from ticketing_harness.errors import HarnessError
from ticketing_harness.local.state import running_stack


def register(app: typer.Typer) -> None:
    """Add `seed` to the `ticketing` command."""
    app.command()(seed)


@reports_errors
def seed(
    users: Annotated[int, typer.Option(min=1, max=500, help="Accounts to sign up.")] = 5,
    tickets: Annotated[int, typer.Option(min=0, max=5000, help="Tickets to list.")] = 20,
    state_dir: StateDir = None,
) -> None:
    """Fill the running stack with demo sellers, tickets and orders.

    Signs up sellers, lists tickets and leaves a few orders in every state, all through the
    public APIs, then prints the accounts to sign in with.
    """
    from ticketing_harness import seed as demo

    layout = layout_for(state_dir)
    state = running_stack(layout)
    if state is None or state.status != "ready":
        raise HarnessError(
            f"no stack is running (state in {layout.root}); start it with `ticketing up`"
        )
    verify = demo.ca_for(state.url, layout.certs_dir)
    seeded = asyncio.run(demo.seed(state.url, users=users, tickets=tickets, verify=verify))
    table = Table(title=f"Sign in at {state.url}/auth/signin", title_justify="left")
    for column in ("email", "password", "tickets listed", "orders"):
        table.add_column(column)
    for account in seeded.accounts:
        orders = ", ".join(f"{count} {state}" for state, count in sorted(account.orders.items()))
        table.add_row(account.email, account.password, str(account.listed), orders or "-")
    console.print(table)
    for line in demo.summary(seeded):
        console.print(line)
