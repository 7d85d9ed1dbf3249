"""The `ticketing` command line.

One module per command group, each with a `register(app)` that adds its commands:
`stack` (up, down, status, logs), `setup` (certs, doctor, hosts) and `chaos`. A new group
adds its module here and one `register` line below; `output` is what they share.
"""

from __future__ import annotations

import typer

from ticketing_harness.cli import chaos, setup, stack

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Run the ticketing system locally and manage its developer setup.",
)

stack.register(app)
setup.register(app)
chaos.register(app)
