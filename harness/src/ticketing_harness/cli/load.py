"""`ticketing load`: Locust scenarios (drop, browse, steady) judged by a correctness verdict."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ticketing_harness.cli.output import StateDir, console, layout_for, reports_errors
from ticketing_harness.errors import HarnessError
from ticketing_harness.local.state import running_stack

if TYPE_CHECKING:
    from ticketing_harness.evidence.access import StackAccess
    from ticketing_harness.load.verdict import Verdict

SCENARIO_HELP = {
    "drop": "A ticket drop: buyers race for a few hot tickets at once.\n\n"
    "Every buyer signs up first; then all are released at once.",
    "browse": "Browsing: the listing and ticket pages at a steady rate.",
    "steady": "A steady day: sign-ins, listings, edits, orders, payments.",
}
DEFAULT_USERS = {"drop": 300, "browse": 100, "steady": 100}
DEFAULT_HOT = 5
VERDICT_DATABASES = ("tickets", "orders", "payments")
TEST_KEY_PREFIXES = ("sk_test_", "rk_test_")

Databases = Annotated[
    list[str] | None,
    typer.Option(
        "--database",
        help="SERVICE=DSN of tickets, orders or payments, to judge a stack that is not local.",
        show_default="the local stack's",
        rich_help_panel="Verdict",
    ),
]
Nats = Annotated[
    str | None,
    typer.Option(
        help="NATS URL, to wait for the consumers to drain.",
        show_default="the local stack's",
        rich_help_panel="Verdict",
    ),
]
StripeApiBase = Annotated[
    str | None,
    typer.Option(
        help="Stripe or localstripe API base, to balance the money.",
        show_default="the local stack's",
        rich_help_panel="Verdict",
    ),
]
StripeApiKey = Annotated[
    str,
    typer.Option(
        envvar="STRIPE_SECRET_KEY",
        help="A test-mode key for --stripe-api-base.",
        rich_help_panel="Verdict",
    ),
]
DrainTimeout = Annotated[
    float,
    typer.Option(
        min=0,
        help="Seconds the consumers may take to drain and the replicas to agree.",
        rich_help_panel="Verdict",
    ),
]


def register(app: typer.Typer) -> None:
    """Add `load drop|browse|steady|verdict|locustfile` to the `ticketing` command."""
    load = typer.Typer(
        no_args_is_help=True,
        help="Load tests with Locust, judged by a correctness verdict.\n\n"
        "The verdict reads every service's database and the payments, and decides the exit code.",
    )
    for scenario, help_text in SCENARIO_HELP.items():
        load.command(scenario, help=help_text)(_scenario_command(scenario))
    load.command()(verdict)
    load.command()(locustfile)
    app.add_typer(load, name="load")


def _scenario_command(scenario: str) -> Callable[..., None]:
    @reports_errors
    def run(
        users: Annotated[
            int, typer.Option("--users", "-u", min=1, help="Peak concurrent users.")
        ] = DEFAULT_USERS[scenario],
        tickets: Annotated[int, typer.Option(min=1, help="Tickets listed before the start.")] = 50,
        hot: Annotated[
            int | None,
            typer.Option(
                min=0, help="How many of them most buyers want.", show_default="5, at most all"
            ),
        ] = None,
        spawn_rate: Annotated[
            float, typer.Option("--spawn-rate", "-r", min=0.1, help="Users started per second.")
        ] = 100.0,
        duration: Annotated[
            str,
            typer.Option(
                "--duration",
                "-d",
                help="How long the load lasts once every user is in: 30s, 2m, 1h30m.",
            ),
        ] = "30s",
        host: Annotated[
            str | None,
            typer.Option(help="Base URL to load.", show_default="the local stack's gateway"),
        ] = None,
        workers: Annotated[
            int,
            typer.Option(min=0, help="Locust worker processes on this machine (0: one process)."),
        ] = 0,
        remote_workers: Annotated[
            int,
            typer.Option(
                min=0,
                help="Workers started elsewhere with `locust --worker`.",
                rich_help_panel="Distributed",
            ),
        ] = 0,
        master_bind_host: Annotated[
            str,
            typer.Option(
                help="Interface the master listens on for workers.", rich_help_panel="Distributed"
            ),
        ] = "127.0.0.1",
        master_port: Annotated[
            int | None,
            typer.Option(
                min=1,
                max=65535,
                help="Port the master listens on.",
                show_default="a free one",
                rich_help_panel="Distributed",
            ),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option(help="Report directory.", show_default="load-reports/SCENARIO-TIME"),
        ] = None,
        database: Databases = None,
        nats: Nats = None,
        stripe_api_base: StripeApiBase = None,
        stripe_api_key: StripeApiKey = "sk_test_ticketing",
        drain_timeout: DrainTimeout = 60.0,
        state_dir: StateDir = None,
    ) -> None:
        from ticketing_harness.load.settings import LoadSettings, seconds

        given = _given_access(database, nats, stripe_api_base, stripe_api_key)
        target, access = _target(host, given, state_dir)
        reports = out or Path("load-reports") / f"{scenario}-{time.strftime('%Y%m%d-%H%M%S')}"
        settings = LoadSettings(
            scenario=scenario,
            host=target,
            users=users,
            tickets=tickets,
            hot=min(DEFAULT_HOT, tickets) if hot is None else hot,
            spawn_rate=spawn_rate,
            duration=seconds(duration),
            reports=reports.absolute(),
            workers=workers,
            remote_workers=remote_workers,
            master_bind_host=master_bind_host,
            master_port=master_port,
        )
        console.print(
            f"{scenario}: {users} users, {tickets} tickets ({settings.hot} hot) against"
            f" [bold]{target}[/];"
            f" Locust's log: {reports / 'locust.log'}"
        )
        # Imported here: matplotlib and the servers' clients take a while to load.
        from ticketing_harness.load.run import run_scenario

        result = run_scenario(settings, access, drain_timeout=drain_timeout)
        _report(result, reports)

    run.__doc__ = SCENARIO_HELP[scenario]
    return run


@reports_errors
def verdict(
    reports: Annotated[Path, typer.Argument(help="The report directory of a run.")],
    database: Databases = None,
    nats: Nats = None,
    stripe_api_base: StripeApiBase = None,
    stripe_api_key: StripeApiKey = "sk_test_ticketing",
    drain_timeout: DrainTimeout = 60.0,
    state_dir: StateDir = None,
) -> None:
    """Judge a finished run again and rewrite its verdict.

    E.g. once its consumers caught up.
    """
    from ticketing_harness.evidence.access import local_access
    from ticketing_harness.load.record import RunRecord
    from ticketing_harness.load.reports import ReportFiles
    from ticketing_harness.load.run import judge_run

    files = ReportFiles(reports.absolute())
    if not files.run.exists():
        raise HarnessError(f"{reports} holds no run record ({files.run.name})")
    given = _given_access(database, nats, stripe_api_base, stripe_api_key)
    layout = layout_for(state_dir)
    state = running_stack(layout)
    local = state is not None and state.url == RunRecord.load(files.run).host
    access = local_access(layout).merged(given) if local and state else given
    _report(judge_run(files, access, drain_timeout=drain_timeout), reports)


@reports_errors
def locustfile(
    scenario: Annotated[str, typer.Argument(help="drop, browse or steady.")],
) -> None:
    """Print the path of a scenario's locustfile.

    For `locust -f`, e.g. on worker machines.
    """
    from ticketing_harness.load.settings import locustfile as path_of

    console.print(str(path_of(scenario)), soft_wrap=True)


def _report(result: Verdict, reports: Path) -> None:
    console.print(result.render())
    console.print(
        f"Reports in {reports}: locust.html, locust_*.csv, verdict.txt, verdict.json, chart.png"
    )
    raise typer.Exit(result.exit_code)


def _given_access(
    databases: list[str] | None, nats: str | None, stripe_api_base: str | None, stripe_api_key: str
) -> StackAccess:
    """The stores the options name; refuses a Stripe key that is not a test-mode one."""
    from ticketing_harness.evidence.access import StackAccess, StripeAccess

    dsns = {}
    for item in databases or []:
        service, _, dsn = item.partition("=")
        if service not in VERDICT_DATABASES or not dsn:
            raise HarnessError(
                f"--database {item!r}: give SERVICE=DSN,"
                f" SERVICE one of {', '.join(VERDICT_DATABASES)}"
            )
        dsns[service] = dsn
    stripe = None
    if stripe_api_base is not None:
        if not stripe_api_key.startswith(TEST_KEY_PREFIXES):
            raise HarnessError("--stripe-api-key must be a test-mode key (sk_test_...)")
        stripe = StripeAccess(stripe_api_base, stripe_api_key)
    return StackAccess(databases=dsns, nats_url=nats, stripe=stripe)


def _target(
    host: str | None, given: StackAccess, state_dir: Path | None
) -> tuple[str, StackAccess]:
    """--host with the stores the options name, else the local stack's gateway and stores."""
    from ticketing_harness.evidence.access import local_access

    if host is not None:
        return host.rstrip("/"), given
    layout = layout_for(state_dir)
    state = running_stack(layout)
    if state is None:
        raise HarnessError(
            f"no stack is running (state in {layout.root}): start one with"
            " `ticketing up --detach`, or give --host"
        )
    return state.url, local_access(layout).merged(given)
