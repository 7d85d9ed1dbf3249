"""The `ticketing` command line.

One module per command group, each with a `register(app)` that adds its commands: `stack`
(up, down, status, restart, logs), `setup` (certs, doctor, hosts), `cluster` (dev clusters on
kind, GKE, EKS), `contracts` (check, diff, release, docs, coverage), `events` (tail, consumers,
dlq, replay), `trace`, `seed` and `load` (drop, browse, steady, verdict, locustfile); `output`
is what they share. A command's module is imported only when it runs: a new one adds a line
to `BUILTINS` with its help line.

Another distribution adds a command group through the entry point group `ticketing.commands`
(name: the group's, value: a `typer.Typer`), e.g. in its pyproject.toml:

    [project.entry-points."ticketing.commands"]
    mygroup = "my_package.cli:app"

`ticketing --help` loads it to show its help line, so its module should import little.
`chaos` comes this way from ticketing-chaos (`ticketing_chaos.command:app`).
"""

from __future__ import annotations

import typer

from ticketing_harness.cli.lazy import Builtin, LazyGroup

_STACK = "ticketing_harness.cli.stack"
_SETUP = "ticketing_harness.cli.setup"

BUILTINS = {
    "up": Builtin(_STACK, "Start the whole system locally, behind an nginx gateway."),
    "down": Builtin(_STACK, "Stop every process the stack started; safe to run again."),
    "status": Builtin(_STACK, "Show each process's state, pid, port and restarts."),
    "restart": Builtin(_STACK, "Restart services on the same ports, with the same data."),
    "logs": Builtin(_STACK, "Print one component's log, or all of them merged in time order."),
    "certs": Builtin(_SETUP, "Create a local CA and a certificate for ticketing.dev."),
    "doctor": Builtin(_SETUP, "Check that this machine can run the stack."),
    "hosts": Builtin(_SETUP, "The ticketing.dev entry in the hosts file."),
    "cluster": Builtin(
        "ticketing_harness.cli.cluster", "Dev clusters on kind, GKE or EKS, from create to delete."
    ),
    "contracts": Builtin(
        "ticketing_harness.cli.contracts",
        "Check, compare, release and document the event contracts.",
    ),
    "events": Builtin(
        "ticketing_harness.cli.events", "The running stack's events, consumers and dead letters."
    ),
    "trace": Builtin("ticketing_harness.cli.trace", "Print the causal chains of an id as a tree."),
    "seed": Builtin(
        "ticketing_harness.cli.seed",
        "Fill the running stack with demo sellers, tickets and orders.",
    ),
    "load": Builtin(
        "ticketing_harness.cli.load", "Load tests with Locust, judged by a correctness verdict."
    ),
}


class TicketingCommands(LazyGroup):
    builtins = BUILTINS


app = typer.Typer(
    cls=TicketingCommands,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help texts are reflowed to the width (plain rich markup keeps the docstrings' line breaks).
    rich_markup_mode="markdown",
)


@app.callback()
def ticketing() -> None:
    """Run the ticketing system locally and manage its developer setup."""
