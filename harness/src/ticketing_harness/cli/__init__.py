"""The `ticketing` command line.

One module per command group, each with a `register(app)` that adds its commands:
`stack` (up, down, status, restart, logs), `setup` (certs, doctor, hosts), `cluster` (dev
clusters on kind, GKE, EKS), `contracts` (check, diff, release, docs, coverage), `events`
(tail, consumers, dlq, replay), `trace`, `seed`, `load` (drop, browse, steady, verdict,
locustfile) and `chaos` (run, scenarios, canaries, explore, suite). A new group
adds its module here and one `register` line below; `output` is what they share.
"""

from __future__ import annotations

import typer

from ticketing_harness.cli import (
    chaos,
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
    # Help texts are reflowed to the width (plain rich markup keeps the docstrings' line breaks).
    rich_markup_mode="markdown",
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
chaos.register(app)
