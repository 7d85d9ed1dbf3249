"""Developer setup commands: `hosts`, `certs` and `doctor`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ticketing_harness import hosts_file
from ticketing_harness.certificates import ensure_certificates, trust_instructions
from ticketing_harness.cli.output import StateDir, console, layout_for, reports_errors

hosts_app = typer.Typer(no_args_is_help=True, help="The ticketing.dev entry in the hosts file.")
HostsPath = Annotated[Path, typer.Option("--hosts-file", help="The hosts file to edit.")]
ReadHostsPath = Annotated[Path, typer.Option("--hosts-file", help="The hosts file to read.")]


def register(app: typer.Typer) -> None:
    """Add `certs`, `doctor` and the `hosts` group to the `ticketing` command."""
    app.command()(certs)
    app.command()(doctor)
    app.add_typer(hosts_app, name="hosts")


@reports_errors
def certs(state_dir: StateDir = None) -> None:
    """Create a local CA and a certificate for ticketing.dev.

    Prints how to make the system and the browsers trust the CA, one command per platform.
    """
    files, created = ensure_certificates(layout_for(state_dir).certs_dir)
    verb = "Created" if created else "Kept the existing"
    console.print(f"{verb} certificate {files.certificate} (key {files.key}),")
    console.print(f"signed by the local CA {files.ca_certificate}.")
    console.print(trust_instructions(files), soft_wrap=True)
    console.print("Then `ticketing up --tls` serves https://ticketing.dev with it.")


@reports_errors
def doctor(
    port: Annotated[int, typer.Option(help="The gateway port `up` will use.")] = 8080,
    state_dir: StateDir = None,
) -> None:
    """Check that this machine can run the stack.

    Exits 1 if something required is missing; notes say what is optional.
    """
    from ticketing_harness.doctor.machine import run_checks

    checks = run_checks(layout_for(state_dir), port)
    table = Table(box=None, show_header=False)
    for check in checks:
        mark = (
            "[green]ok[/]"
            if check.ok
            else ("[red]missing[/]" if check.required else "[yellow]note[/]")
        )
        table.add_row(mark, check.name, check.detail)
    console.print(table)
    if not all(check.ok for check in checks if check.required):
        raise typer.Exit(1)


@hosts_app.command("add")
@reports_errors
def hosts_add(
    ip: Annotated[str, typer.Option(help="The address ticketing.dev should resolve to.")] = (
        "127.0.0.1"
    ),
    hosts_path: HostsPath = hosts_file.DEFAULT_HOSTS_FILE,
) -> None:
    """Map ticketing.dev to an address (idempotent; keeps a backup)."""
    change = hosts_file.add(ip, hosts_path)
    console.print(f"ticketing.dev -> {ip}: {change.value} in {hosts_path}")
    if change is not hosts_file.Change.UNCHANGED:
        console.print(f"Backup of the previous file: {hosts_file.backup_path(hosts_path)}")


@hosts_app.command("remove")
@reports_errors
def hosts_remove(hosts_path: HostsPath = hosts_file.DEFAULT_HOSTS_FILE) -> None:
    """Remove the ticketing.dev block, restoring the file as it was."""
    change = hosts_file.remove(hosts_path)
    console.print(f"ticketing.dev entry {change.value} in {hosts_path}")


@hosts_app.command("status")
@reports_errors
def hosts_status(hosts_path: ReadHostsPath = hosts_file.DEFAULT_HOSTS_FILE) -> None:
    """Say whether ticketing.dev is mapped, and to which address."""
    ip = hosts_file.status(hosts_path)
    if ip is None:
        console.print(f"ticketing.dev is not in {hosts_path}; add it with `ticketing hosts add`")
    else:
        console.print(f"ticketing.dev -> {ip} in {hosts_path}")
