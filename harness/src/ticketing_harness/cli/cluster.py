"""`ticketing cluster`: dev clusters on kind, GKE or EKS, from create to delete."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from ticketing_harness.cli.cluster_options import (
    ClusterTarget,
    HostsFile,
    Plan,
    Timeout,
    cluster_options,
    existing_session,
    new_session,
)
from ticketing_harness.cli.cluster_output import check_table, perform, workload_table
from ticketing_harness.cli.output import console, errors, reports_errors
from ticketing_harness.clusters.naming import HOSTNAME
from ticketing_harness.clusters.spec import ClusterSpec, Ingress
from ticketing_harness.errors import HarnessError
from ticketing_harness.hosts_file import DEFAULT_HOSTS_FILE

cluster_app = typer.Typer(
    no_args_is_help=True,
    help="Dev clusters on kind, GKE or EKS, from create to delete.",
)

IngressOption = Annotated[
    Ingress | None,
    typer.Option(
        metavar="INGRESS",
        help="gateway (the Gateway API with NGINX Gateway Fabric) or nginx (ingress-nginx,"
        " retired upstream, pinned).",
        show_default="the cluster's, else gateway",
    ),
]
Region = Annotated[
    str | None,
    typer.Option(help="Cloud region (gke, eks).", show_default="gke us-central1, eks us-east-1"),
]
Project = Annotated[
    str | None,
    typer.Option(
        envvar="GOOGLE_CLOUD_PROJECT",
        show_envvar=False,
        help="Google Cloud project (gke); by default GOOGLE_CLOUD_PROJECT.",
        show_default="the environment's",
    ),
]
Registry = Annotated[
    str | None,
    typer.Option(help="Image registry (cloud).", show_default="Artifact Registry or ECR"),
]


def register(app: typer.Typer) -> None:
    """Add the `cluster` group to the `ticketing` command."""
    app.add_typer(cluster_app, name="cluster")


def _spec(
    target: ClusterTarget,
    ingress: Ingress | None,
    region: str | None,
    project: str | None,
    registry: str | None,
    local_registry: bool | None = None,
) -> ClusterSpec:
    """The options given, else what the cluster's record says, else the defaults."""
    record = target.record
    return ClusterSpec(
        provider=target.chosen_provider(),
        name=target.name,
        ingress=ingress or (Ingress(record.ingress) if record else Ingress.GATEWAY),
        region=region or (record.region if record else None),
        project=project or (record.project if record else None),
        registry=registry or (record.registry if record else None),
        local_registry=(
            local_registry
            if local_registry is not None
            else (record.local_registry if record else True)
        ),
    )


@cluster_app.command()
@reports_errors
@cluster_options()
def create(
    target: ClusterTarget,
    ingress: IngressOption = None,
    region: Region = None,
    project: Project = None,
    registry: Registry = None,
    no_local_registry: Annotated[
        bool,
        typer.Option(
            "--no-local-registry",
            help="kind: `kind load` the images instead of pushing them to a local registry.",
        ),
    ] = False,
    plan: Plan = False,
    hosts_file: HostsFile = DEFAULT_HOSTS_FILE,
    timeout: Timeout = 600.0,
) -> None:
    """Create (or reuse) a cluster and deploy the system to it.

    Installs the ingress, deploys the system and maps ticketing.dev to it.
    """
    from ticketing_harness.clusters.workflows import create_steps

    record = target.record
    spec = _spec(target, ingress, region, project, registry, False if no_local_registry else None)
    if record is not None and (record.provider, record.ingress) != (spec.provider, spec.ingress):
        raise HarnessError(
            f"cluster {target.name} runs {record.provider} with {record.ingress}; delete it first"
            f" (`ticketing cluster delete --name {target.name}`) or choose another --name"
        )
    session = new_session(
        spec, target, hosts_file=hosts_file, timeout=timeout, named_context=target.context
    )
    perform(session, create_steps(session), plan)


@cluster_app.command()
@reports_errors
@cluster_options()
def deploy(target: ClusterTarget, plan: Plan = False, timeout: Timeout = 600.0) -> None:
    """Publish this commit's images and apply the manifests.

    Builds and publishes the images, updates the Secrets, then applies the manifests.
    """
    from ticketing_harness.clusters.workflows import deploy_steps

    session = existing_session(target, timeout=timeout)
    perform(session, deploy_steps(session), plan)


@cluster_app.command()
@reports_errors
@cluster_options("name", "provider", "state_dir")
def render(
    target: ClusterTarget,
    ingress: IngressOption = None,
    localstripe: Annotated[
        bool | None,
        typer.Option(
            "--localstripe/--no-localstripe",
            help="Include localstripe.",
            show_default="unless STRIPE_SECRET_KEY is set",
        ),
    ] = None,
    region: Region = None,
    project: Project = None,
    registry: Registry = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write one file per object here.", show_default="stdout"
        ),
    ] = None,
) -> None:
    """Print the exact manifests `deploy` would apply.

    Images tagged and routing included, for review or GitOps.
    """
    from ticketing_harness.clusters.commands import Runner
    from ticketing_harness.clusters.paths import repo_root
    from ticketing_harness.clusters.rendering import as_yaml, rendered, write_files
    from ticketing_harness.stripe_key import stripe_key_from_environment

    spec = _spec(target, ingress, region, project, registry)
    stub = stripe_key_from_environment() is None if localstripe is None else localstripe
    manifests = rendered(spec, stub, repo_root(), Runner())
    if output is None:
        sys.stdout.write(as_yaml(manifests))
        return
    written = write_files(manifests, output)
    errors.print(f"wrote {len(written)} objects to {output}; the Secrets come from `deploy`")


@cluster_app.command()
@reports_errors
@cluster_options()
def status(target: ClusterTarget) -> None:
    """Show each workload's readiness and image.

    Exits 1 unless all are ready.
    """
    from ticketing_harness.clusters.status import URL, workloads

    session = existing_session(target)
    session.check_context()
    found = workloads(session)
    console.print(
        f"cluster {session.spec.name} ({session.spec.provider}), context {session.context}"
    )
    console.print(workload_table(found))
    console.print(f"URL: {URL}")
    if not found or not all(workload.is_ready for workload in found):
        raise typer.Exit(1)


@cluster_app.command()
@reports_errors
@cluster_options()
def verify(
    target: ClusterTarget,
    url: Annotated[str, typer.Option(help="Where the ingress answers.")] = f"https://{HOSTNAME}",
    timeout: Timeout = 120.0,
) -> None:
    """Check that the system runs, end to end through the ingress.

    Workloads, routes, a purchase and the event flow; exits 1 on any failure.
    """
    from ticketing_harness.cli.cluster_verification import verification

    session = existing_session(target, timeout=timeout)
    try:
        session.check_context()
        checks = verification(session, url)
    finally:
        session.close()
    console.print(f"cluster {session.spec.name}, context {session.context}, {url}")
    console.print(check_table(checks))
    failed = [check.name for check in checks if not check.ok]
    if failed:
        errors.print(f"[red]{len(failed)} of {len(checks)} checks failed:[/] {', '.join(failed)}")
        raise typer.Exit(1)


@cluster_app.command()
@reports_errors
@cluster_options()
def logs(
    target: ClusterTarget,
    service: Annotated[str, typer.Argument(help="auth, tickets, orders, expiration, payments...")],
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing.")] = False,
    lines: Annotated[int, typer.Option("--lines", "-n", help="Lines of each pod's log.")] = 50,
) -> None:
    """Print a service's logs from every pod.

    With --follow, keep printing new lines until Ctrl-C.
    """
    from ticketing_harness.clusters.logs import pod_names, stream

    session = existing_session(target)
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
@cluster_options()
def dev(target: ClusterTarget, plan: Plan = False) -> None:
    """Run Skaffold's dev loop: save a file, its service restarts.

    Rebuilds on change and syncs Python sources into the pods.
    """
    from ticketing_harness.clusters.devloop import dev_steps

    session = existing_session(target)
    perform(session, dev_steps(session), plan)


@cluster_app.command()
@reports_errors
@cluster_options()
def delete(
    target: ClusterTarget,
    plan: Plan = False,
    hosts_file: HostsFile = DEFAULT_HOSTS_FILE,
    timeout: Timeout = 600.0,
) -> None:
    """Delete the cluster, its load balancers first.

    Deletes the Gateways and LoadBalancer Services, then the cluster, then the hosts entry.
    """
    from ticketing_harness.clusters.workflows import delete_steps

    session = existing_session(target, timeout=timeout, hosts_file=hosts_file)
    perform(session, delete_steps(session), plan)


def _write(line: str) -> None:
    sys.stdout.write(line)
    sys.stdout.flush()
