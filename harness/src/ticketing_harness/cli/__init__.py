"""The `ticketing` command line.

One module per command group, each with a `register(app)` that adds its commands:
`stack` (up, down, status, restart, logs), `setup` (certs, doctor, hosts), `cluster` (dev
clusters on kind, GKE, EKS), `contracts` (check, diff, release, docs, coverage), `events`
(tail, consumers, dlq, replay), `trace`, `seed` and `load` (drop, browse, steady, verdict,
locustfile). A new group adds its module here and one `register` line below; `output` is
what they share. An installed package adds a group through a `ticketing.commands` entry
point (its name the group's, its value a `typer.Typer`): `chaos` comes from ticketing-chaos.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import typer

from ticketing_harness.cli import (
    cluster,
    contracts,
    events,
    load,
    seed,
    setup,
    stack,
    trace,
)

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Run the ticketing system locally and manage its developer setup.",
)

stack.register(app)
setup.register(app)
cluster.register(app)
contracts.register(app)
events.register(app)
trace.register(app)
seed.register(app)
load.register(app)
for command_group in entry_points(group="ticketing.commands"):
    app.add_typer(command_group.load(), name=command_group.name)
