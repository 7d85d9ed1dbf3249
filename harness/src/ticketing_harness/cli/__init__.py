"""The `ticketing` command line.

One module per command group, each with a `register(app)` that adds its commands: `stack`
(up, down, status, restart, logs), `setup` (certs, doctor, hosts), `cluster` (dev clusters on
kind, GKE, EKS), `contracts` (check, diff, release, docs, coverage), `events` (tail, consumers,
dlq, replay), `trace`, `seed`, `load` (drop, browse, steady, verdict, locustfile) and `chaos`
(run, scenarios, canaries, explore, suite); `output` is what they share. A command's module
is imported only when it runs: a new one adds a line to `BUILTINS` with its help line.

Another distribution adds a command group through the entry point group `ticketing.commands`
(name: the group's, value: a `typer.Typer`), e.g. in its pyproject.toml:

    [project.entry-points."ticketing.commands"]
    mygroup = "my_package.cli:app"

`ticketing --help` loads it to show its help line, so its module should import little.
"""

from __future__ import annotations

import typer

from ticketing_harness.cli.lazy import Builtin, LazyGroup

_STACK = "ticketing_harness.cli.stack"
_SETUP = "ticketing_harness.cli.setup"

BUILTINS = {
    "up": Builtin(
        _STACK,
        "Start the whole system as local processes behind an nginx gateway, and supervise it.",
    ),
    "down": Builtin(_STACK, "Stop every process the stack started; safe to run again."),
    "status": Builtin(
        _STACK,
        "Show each process's state and restarts; exit 0 when all are ready, 1 when not, 3 when "
        "stopped.",
    ),
    "restart": Builtin(
        _STACK, "Restart services of the running stack, on the same ports with the same data."
    ),
    "logs": Builtin(
        _STACK, "Print the logs of one component or of all merged in time order; optionally follow."
    ),
    "certs": Builtin(
        _SETUP, "Create a local CA and a certificate for ticketing.dev; say how to trust the CA."
    ),
    "doctor": Builtin(
        _SETUP,
        "Check that this machine can run the stack; exit 1 if something required is missing.",
    ),
    "hosts": Builtin(_SETUP, "The ticketing.dev entry in the hosts file."),
    "cluster": Builtin(
        "ticketing_harness.cli.cluster",
        "Dev clusters on kind, GKE or EKS: create, deploy, status, logs, dev, delete.",
    ),
    "contracts": Builtin(
        "ticketing_harness.cli.contracts",
        "Check, compare, release and document the event contracts.",
    ),
    "events": Builtin(
        "ticketing_harness.cli.events",
        "Watch the running stack's events, consumers and dead letters; replay a dead letter.",
    ),
    "trace": Builtin(
        "ticketing_harness.cli.trace",
        "Print the causal chains of ID as a tree: each request, the events it caused in every "
        "service, and each consumer's deliveries with their outcome.",
    ),
    "seed": Builtin(
        "ticketing_harness.cli.seed",
        "Fill the running stack with sellers, tickets and a few orders in every state, through "
        "the public APIs; print accounts to sign in with.",
    ),
    "load": Builtin(
        "ticketing_harness.cli.load",
        "Load tests with Locust, judged by a correctness verdict that decides the exit code.",
    ),
    "chaos": Builtin(
        "ticketing_harness.cli.chaos",
        "Break the running system on purpose and check that no data goes wrong.",
    ),
}


class TicketingCommands(LazyGroup):
    builtins = BUILTINS


app = typer.Typer(
    cls=TicketingCommands,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def ticketing() -> None:
    """Run the ticketing system locally and manage its developer setup."""
