"""`ticketing cluster`: dev clusters on kind, GKE or EKS, from create to delete."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.status import Status
from rich.table import Table

from ticketing_harness.cli.output import StateDir, console, errors, layout_for, reports_errors
from ticketing_harness.clusters.paths import ClusterFiles, repo_root
from ticketing_harness.clusters.session import Session
from ticketing_harness.clusters.spec import DEFAULT_REGIONS, ClusterSpec, Ingress, Provider
from ticketing_harness.clusters.state import ClusterRecord
from ticketing_harness.clusters.steps import Step, plan_lines, run_steps
from ticketing_harness.errors import HarnessError
from ticketing_harness.hosts_file import DEFAULT_HOSTS_FILE
from ticketing_harness.stripe_key import stripe_key_from_environment

cluster_app = typer.Typer(
    no_args_is_help=True,
    help="Dev clusters on kind, GKE or EKS, from create to delete.",
)

Name = Annotated[str, typer.Option("--name", help="The cluster's name.")]
ProviderOption = Annotated[
    Provider | None,
    typer.Option("--provider", help="kind, gke or eks.", show_default="the cluster's, else kind"),
]
ContextOption = Annotated[
    str | None,
    typer.Option(
        "--context",
        help="Use this context of your kubeconfig (a cluster ticketing did not create).",
        show_default="the cluster's own",
    ),
]
Yes = Annotated[bool, typer.Option("--yes", help="Confirm the --context without a prompt.")]
Plan = Annotated[bool, typer.Option("--plan", help="Print every step and command; run none.")]
HostsFile = Annotated[Path, typer.Option("--hosts-file", help="The hosts file to edit.")]
Timeout = Annotated[float, typer.Option(help="Seconds each waiting step may take.")]


def register(app: typer.Typer) -> None:
    """Add the `cluster` group to the `ticketing` command."""
    app.add_typer(cluster_app, name="cluster")


@cluster_app.command()
@reports_errors
def create(
    provider: ProviderOption = None,
    name: Name = "ticketing",
    ingress: Annotated[
        Ingress | None,
        typer.Option(
            help="ingress-nginx (pinned, retired upstream) or the Gateway API.",
            show_default="the cluster's, else nginx",
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            help="Cloud region (gke, eks).",
            show_default=f"the cluster's, else {DEFAULT_REGIONS[Provider.GKE]} (gke) "
            f"or {DEFAULT_REGIONS[Provider.EKS]} (eks)",
        ),
    ] = None,
    project: Annotated[
        str | None,
        typer.Option(
            envvar="GOOGLE_CLOUD_PROJECT",
            help="Google Cloud project (gke).",
            show_default="the cluster's",
        ),
    ] = None,
    registry: Annotated[
        str | None,
        typer.Option(help="Image registry (cloud).", show_default="Artifact Registry or ECR"),
    ] = None,
    context: ContextOption = None,
    yes: Yes = False,
    plan: Plan = False,
    hosts_file: HostsFile = DEFAULT_HOSTS_FILE,
    timeout: Timeout = 600.0,
    state_dir: StateDir = None,
) -> None:
    """Create (or reuse) a cluster and deploy the system to it.

    Installs the ingress, creates the Secrets, builds and deploys the images of this commit,
    and maps ticketing.dev to the cluster in the hosts file.
    """
    from ticketing_harness.clusters.workflows import create_steps

    record = _record(state_dir, name)
    spec = ClusterSpec(
        provider=_provider(provider, record),
        name=name,
        ingress=ingress or (Ingress(record.ingress) if record else Ingress.NGINX),
        region=region or (record.region if record else None),
        project=project or (record.project if record else None),
        registry=registry or (record.registry if record else None),
    )
    if record is not None and (record.provider, record.ingress) != (spec.provider, spec.ingress):
        raise HarnessError(
            f"cluster {name} runs {record.provider} with {record.ingress}; delete it first"
            f" (`ticketing cluster delete --name {name}`) or choose another --name"
        )
    session = _session(spec, state_dir, hosts_file, timeout, context, yes)
    _perform(session, create_steps(session), plan)


@cluster_app.command()
@reports_errors
def deploy(
    name: Name = "ticketing",
    provider: ProviderOption = None,
    context: ContextOption = None,
    yes: Yes = False,
    plan: Plan = False,
    timeout: Timeout = 600.0,
    state_dir: StateDir = None,
) -> None:
    """Deploy this commit's images and manifests to the cluster.

    Builds and publishes the images, updates the Secrets and applies the manifests.
    """
    from ticketing_harness.clusters.workflows import deploy_steps

    session = _existing(name, provider, context, yes, state_dir, timeout)
    _perform(session, deploy_steps(session), plan)


@cluster_app.command()
@reports_errors
def status(
    name: Name = "ticketing",
    provider: ProviderOption = None,
    context: ContextOption = None,
    yes: Yes = False,
    state_dir: StateDir = None,
) -> None:
    """Show each workload's readiness and image.

    Exits 1 unless all are ready.
    """
    from ticketing_harness.clusters.status import URL, workloads

    session = _existing(name, provider, context, yes, state_dir)
    session.check_context()
    found = workloads(session)
    table = Table(box=None)
    for column in ("workload", "kind", "ready", "image"):
        table.add_column(column)
    for workload in found:
        mark = "[green]" if workload.is_ready else "[yellow]"
        ready = f"{mark}{workload.ready}/{workload.wanted}[/]"
        table.add_row(workload.name, workload.kind, ready, workload.image)
    console.print(
        f"cluster {session.spec.name} ({session.spec.provider}), context {session.context}"
    )
    console.print(table)
    console.print(f"URL: {URL}")
    if not found or not all(workload.is_ready for workload in found):
        raise typer.Exit(1)


@cluster_app.command()
@reports_errors
def logs(
    service: Annotated[str, typer.Argument(help="auth, tickets, orders, expiration, payments...")],
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing.")] = False,
    lines: Annotated[int, typer.Option("--lines", "-n", help="Lines of each pod's log.")] = 50,
    name: Name = "ticketing",
    provider: ProviderOption = None,
    context: ContextOption = None,
    yes: Yes = False,
    state_dir: StateDir = None,
) -> None:
    """Print a service's logs from every pod, optionally following them."""
    from ticketing_harness.clusters.logs import pod_names, stream

    session = _existing(name, provider, context, yes, state_dir)
    session.check_context()
    pods = pod_names(session, service)
    prefix = len(pods) > 1
    threads = [
        threading.Thread(
            target=stream, args=(session, pod, follow, lines, prefix, _write), daemon=True
        )
        for pod in pods
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    except KeyboardInterrupt:
        return


@cluster_app.command()
@reports_errors
def dev(
    name: Name = "ticketing",
    provider: ProviderOption = None,
    context: ContextOption = None,
    yes: Yes = False,
    plan: Plan = False,
    state_dir: StateDir = None,
) -> None:
    """Skaffold's dev loop: save a file, its service restarts.

    Rebuilds images on change and syncs Python sources into the running pods.
    """
    from ticketing_harness.clusters.devloop import dev_steps

    session = _existing(name, provider, context, yes, state_dir)
    _perform(session, dev_steps(session), plan)


@cluster_app.command()
@reports_errors
def delete(
    name: Name = "ticketing",
    provider: ProviderOption = None,
    context: ContextOption = None,
    yes: Yes = False,
    plan: Plan = False,
    hosts_file: HostsFile = DEFAULT_HOSTS_FILE,
    timeout: Timeout = 600.0,
    state_dir: StateDir = None,
) -> None:
    """Delete the cluster and its ticketing.dev entry.

    The LoadBalancer Services go first, so that no cloud load balancer outlives the cluster.
    """
    from ticketing_harness.clusters.workflows import delete_steps

    session = _existing(name, provider, context, yes, state_dir, timeout, hosts_file)
    _perform(session, delete_steps(session), plan)


def _record(state_dir: Path | None, name: str) -> ClusterRecord | None:
    return ClusterRecord.load(_files(state_dir, name).record)


def _files(state_dir: Path | None, name: str) -> ClusterFiles:
    return ClusterFiles(layout_for(state_dir).root / "clusters" / name)


def _provider(provider: Provider | None, record: ClusterRecord | None) -> Provider:
    if provider is not None:
        return provider
    return Provider(record.provider) if record else Provider.KIND


def _session(
    spec: ClusterSpec,
    state_dir: Path | None,
    hosts_file: Path,
    timeout: float,
    context: str | None,
    yes: bool,
) -> Session:
    layout = layout_for(state_dir)
    ask = typer.prompt if sys.stdin.isatty() else None
    return Session(
        spec=spec,
        files=_files(state_dir, spec.name),
        repo=repo_root(),
        certs_dir=layout.certs_dir,
        hosts_file=hosts_file,
        stripe_key=stripe_key_from_environment(),
        timeout=timeout,
        named_context=context,
        confirmed=yes,
        ask=ask,
    )


def _existing(
    name: str,
    provider: Provider | None,
    context: str | None,
    yes: bool,
    state_dir: Path | None,
    timeout: float = 600.0,
    hosts_file: Path = DEFAULT_HOSTS_FILE,
) -> Session:
    """A cluster `create` made (its record), or the one --context names."""
    record = _record(state_dir, name)
    if record is None and context is None:
        raise HarnessError(
            f"no cluster named {name} in {_files(state_dir, name).directory}: create it with"
            f" `ticketing cluster create --name {name}`, or name a context with --context"
        )
    if record is not None:
        spec = record.spec
    else:
        chosen = _provider(provider, None)
        spec = ClusterSpec(provider=chosen, name=name, region=DEFAULT_REGIONS.get(chosen))
    named = (
        context if context else (None if record is None or record.created_by_us else record.context)
    )
    return _session(spec, state_dir, hosts_file, timeout, named, yes)


def _perform(session: Session, steps: list[Step], plan: bool) -> None:
    if plan:
        console.print(
            f"Plan for cluster {session.spec.name} ({session.spec.provider}); nothing runs:"
        )
        for line in plan_lines(steps):
            console.print(escape(line), soft_wrap=True)
        return
    try:
        run_steps(steps, _Progress())
    finally:
        session.close()


def _write(line: str) -> None:
    sys.stdout.write(line)
    sys.stdout.flush()


class _Progress:
    """Each step as it starts and ends, with a spinner on a terminal."""

    def __init__(self) -> None:
        self._status: Status | None = None

    def started(self, number: int, total: int, step: Step) -> None:
        console.print(f"[bold][{number}/{total}][/] {escape(step.title)}")
        if console.is_terminal:
            self._status = console.status(f"{step.key}...")
            self._status.start()

    def finished(self, step: Step, detail: str, seconds: float) -> None:
        self._stop()
        console.print(f"  [green]done[/] {escape(detail)} [dim]({seconds:.1f}s)[/]", soft_wrap=True)

    def failed(self, step: Step, error: HarnessError) -> None:
        self._stop()
        errors.print(f"  [red]failed[/] at step {step.key}")

    def _stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
