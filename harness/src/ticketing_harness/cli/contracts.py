"""`ticketing contracts`: check, diff, release, docs and coverage of the event contracts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ticketing_harness.cli.output import StateDir, console, errors, layout_for, reports_errors
from ticketing_harness.errors import HarnessError

if TYPE_CHECKING:
    from ticketing_common.contracts import Catalog

# The commands import the contract tools when they run: loading them (jsonschema, pydantic,
# the services' code) takes seconds that every other `ticketing` command need not pay.

contracts_app = typer.Typer(
    no_args_is_help=True, help="Check, compare, release and document the event contracts."
)

ContractsDir = Annotated[
    Path | None,
    typer.Option(
        "--contracts",
        help="The contracts directory.",
        show_default="the repository's contracts/",
    ),
]
JsonOutput = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    """Add the `contracts` group to the `ticketing` command."""
    app.add_typer(contracts_app, name="contracts")


@contracts_app.command("check")
@reports_errors
def check_command(
    contracts: ContractsDir = None,
    against: Annotated[
        str | None,
        typer.Option(
            help="Also fail on schemas that break their copy at this git ref or directory.",
            show_default="none",
        ),
    ] = None,
    live: Annotated[
        bool,
        typer.Option("--live", help="Also compare the running stack's streams and consumers."),
    ] = False,
    state_dir: StateDir = None,
) -> None:
    """Check that the schemas, the catalog and the services' code agree.

    Fails with one line per problem.
    """
    from ticketing_harness.contracts.check import CheckOptions, check
    from ticketing_harness.contracts.sources import contracts_root
    from ticketing_harness.evidence.access import local_access

    root = contracts_root(contracts)
    nats_url = local_access(layout_for(state_dir)).nats() if live else None
    problems = check(root, CheckOptions(against=against, nats_url=nats_url))
    for problem in problems:
        errors.print(problem, soft_wrap=True, markup=False)
    if problems:
        raise typer.Exit(1)
    console.print(f"Contracts in {root} agree with the code.")


@contracts_app.command("diff")
@reports_errors
def diff_command(
    old: Annotated[str, typer.Argument(help="A contracts directory or a git ref.")],
    new: Annotated[str, typer.Argument(help="A contracts directory or a git ref.")],
    json_output: JsonOutput = False,
) -> None:
    """Compare two versions of the contracts, schema by schema.

    Each event schema is compatible, breaking (with every reason), new or removed.
    """
    from ticketing_harness.contracts import evolution
    from ticketing_harness.contracts.sources import contracts_at, contracts_root

    repository = contracts_root(None)
    with contracts_at(old, repository) as old_root, contracts_at(new, repository) as new_root:
        changes = evolution.diff_roots(old_root, new_root)
    if json_output:
        body = [{"file": c.file, "verdict": c.verdict, "reasons": c.reasons} for c in changes]
        console.print_json(json.dumps(body))
        return
    for change in changes:
        colour = {"breaking": "red", "compatible": "green"}.get(change.verdict, "cyan")
        console.print(f"{change.file}: [{colour}]{change.verdict}[/]")
        for reason in change.reasons:
            console.print(f"  {reason}", markup=False, soft_wrap=True)


@contracts_app.command("release")
@reports_errors
def release_command(contracts: ContractsDir = None) -> None:
    """Record the current schemas as released.

    Refused while a schema breaks its released copy.
    """
    from ticketing_harness.contracts import evolution
    from ticketing_harness.contracts.sources import contracts_root

    root = contracts_root(contracts)
    recorded = evolution.release(root)
    for file in recorded:
        console.print(f"released {file}")
    if not recorded:
        console.print("Nothing new to release.")


@contracts_app.command("docs")
@reports_errors
def docs_command(
    contracts: ContractsDir = None,
    output: Annotated[
        Path | None,
        typer.Option(help="Where the documents go.", show_default="docs/ beside the contracts"),
    ] = None,
    check_only: Annotated[
        bool, typer.Option("--check", help="Write nothing; fail if a document is stale.")
    ] = False,
) -> None:
    """Generate the event documents from the contracts.

    Writes docs/events.md, docs/asyncapi.yaml and docs/events.svg; --check only compares.
    """
    from ticketing_harness.contracts import docs
    from ticketing_harness.contracts.sources import contracts_root

    root = contracts_root(contracts)
    catalog = _catalog(root)
    docs_dir = output or root.parent / "docs"
    if check_only:
        stale = docs.stale(catalog, docs_dir)
        if stale:
            names = ", ".join(str(docs_dir / name) for name in stale)
            raise HarnessError(f"stale: {names}; run `ticketing contracts docs`")
        console.print("The generated docs are current.")
        return
    for path in docs.write(catalog, docs_dir):
        console.print(f"wrote {path}")


@contracts_app.command("coverage")
@reports_errors
def coverage_command(
    recording: Annotated[
        Path, typer.Argument(help="A RECORD_EVENTS_DIR the services recorded into.")
    ],
    contracts: ContractsDir = None,
    json_output: JsonOutput = False,
) -> None:
    """Check a recorded run against the contracts.

    Every recorded message valid, every declared event published and consumed, or which not.
    """
    from ticketing_common.recording import read_records
    from ticketing_harness.contracts.coverage import measure
    from ticketing_harness.contracts.sources import contracts_root

    if not recording.is_dir():
        raise HarnessError(f"{recording} is not a directory of recorded events")
    catalog = _catalog(contracts_root(contracts))
    result = measure(catalog, read_records(recording))
    if json_output:
        body = {
            "published": dict(result.published),
            "consumed": {f"{t} by {s}": n for (t, s), n in result.consumed.items()},
            "invalid": result.invalid,
            "missing": result.missing,
        }
        console.print_json(json.dumps(body))
    else:
        for event_type in catalog.events:
            consumers = ", ".join(
                f"{s} {result.consumed[(event_type, s)]}"
                for s in catalog.events[event_type].consumers
            )
            console.print(
                f"{event_type}: published {result.published[event_type]}"
                + (f"; applied by {consumers}" if consumers else "")
            )
        for line in [*result.invalid, *result.missing]:
            errors.print(line, markup=False, soft_wrap=True)
    if not result.complete:
        raise typer.Exit(1)


def _catalog(root: Path) -> Catalog:
    from ticketing_common.contracts import CatalogError, load_catalog

    try:
        return load_catalog(root)
    except CatalogError as error:
        first = error.problems[0]
        raise HarnessError(
            f"the contracts are inconsistent ({first}; {len(error.problems)} problem(s) in all): "
            "run `ticketing contracts check`"
        ) from None
