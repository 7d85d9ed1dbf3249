"""The steps of `ticketing cluster create`, `deploy` and `delete`, in order."""

from __future__ import annotations

import shutil

from ticketing_harness.clusters import (
    ingress,
    ingress_address,
    preflight,
    provision,
    publish,
    release,
    status,
    teardown,
)
from ticketing_harness.clusters.providers import Kind
from ticketing_harness.clusters.session import Session
from ticketing_harness.clusters.steps import Step
from ticketing_harness.clusters.tools import tools_for
from ticketing_harness.errors import HarnessError


def create_steps(session: Session) -> list[Step]:
    """1 preflight, 2 cluster, 3 ingress, 4 secrets, 5 images, 6 deploy, 7 hosts, 8 status."""
    spec = session.spec
    tools = session.cloud.tools()
    kind = isinstance(session.cloud, Kind)
    return [
        Step(
            "preflight",
            "Preflight: each tool at a usable version"
            + ("; the engine answers and may bind ports 80 and 443, free" if kind else ""),
            lambda: preflight.plan(session, tools),
            lambda: preflight.run(session, tools),
        ),
        Step(
            "cluster",
            f"Create the {spec.provider} cluster {spec.name}"
            + (" and its local registry" if session.uses_local_registry else "")
            + ", or reuse the one this tool created",
            lambda: provision.plan(session),
            lambda: provision.run(session),
        ),
        Step(
            "ingress",
            f"Install {ingress.controller(session).title}; wait until it accepts our routing",
            lambda: ingress.plan(session),
            lambda: ingress.run(session),
        ),
        *deploy_steps(session, with_preflight=False),
        Step(
            "hosts",
            "Point ticketing.dev at the ingress in the hosts file",
            lambda: ingress_address.plan(session),
            lambda: ingress_address.run(session),
        ),
        _status_step(session),
    ]


def deploy_steps(session: Session, *, with_preflight: bool = True) -> list[Step]:
    """Secrets, images and manifests (what `deploy` repeats after a change)."""
    loads = isinstance(session.cloud, Kind) and not session.uses_local_registry
    where = "load them into kind" if loads else "push them to the cluster's registry"
    steps = [
        Step(
            "secrets",
            "Create the Secrets: credentials kept, Stripe key, TLS for ticketing.dev",
            lambda: release.plan_secrets(session),
            lambda: release.run_secrets(session),
        ),
        Step(
            "images",
            f"Build the images, tagged from the git commit, and {where}",
            lambda: publish.plan(session),
            lambda: publish.run(session),
        ),
        Step(
            "deploy",
            "Apply the manifests server-side and wait for the rollouts",
            lambda: release.plan_deploy(session),
            lambda: release.run_deploy(session),
        ),
    ]
    if not with_preflight:
        return steps
    names = ("kind", "docker", "kubectl") if isinstance(session.cloud, Kind) else ()
    tools = tools_for(*names) if names else session.cloud.tools()
    return [
        Step(
            "preflight",
            f"Preflight: each tool at a usable version; context {session.planned_context()}",
            lambda: [*preflight.plan(session, tools), "check the context (ours, or confirmed)"],
            lambda: checked_context(session) + preflight.run(session, tools),
        ),
        *steps,
        _status_step(session),
    ]


def delete_steps(session: Session) -> list[Step]:
    """Load balancers first, then the cluster, the hosts entry and our files."""
    return [
        Step(
            "load-balancers",
            "Delete the Gateways and LoadBalancer Services, so no cloud load balancer is left",
            lambda: [
                "check the context, and that ticketing created this cluster",
                *teardown.plan(session),
            ],
            lambda: _ours(session) + teardown.release_load_balancers(session),
        ),
        Step(
            "cluster",
            f"Delete the {session.spec.provider} cluster {session.spec.name}",
            lambda: provision.plan_delete(session),
            lambda: provision.delete(session),
        ),
        Step(
            "hosts",
            "Remove the ticketing.dev entry from the hosts file",
            lambda: ingress_address.plan_remove(session),
            lambda: ingress_address.remove(session),
        ),
        Step(
            "forget",
            "Forget the cluster: its kubeconfig, kept credentials and record",
            lambda: [f"remove {session.files.directory}"],
            lambda: _forget(session),
        ),
    ]


def _status_step(session: Session) -> Step:
    return Step(
        "status",
        "Print the URL and a status table",
        lambda: status.plan(session),
        lambda: status.run(session),
    )


def checked_context(session: Session) -> str:
    """Apply the context guard; the context, to start a step's result line."""
    session.check_context()
    return f"context {session.context}; "


def _ours(session: Session) -> str:
    """Delete only what we made: a --context cluster's load balancers are someone else's."""
    checked = checked_context(session)
    record = session.record
    if record is None or not record.created_by_us:
        raise HarnessError(
            f"cluster {session.spec.name} (context {session.context}) was not created by"
            " ticketing: nothing was deleted; remove what you deployed with"
            " `kubectl delete namespace ticketing` on that context"
        )
    return checked


def _forget(session: Session) -> str:
    shutil.rmtree(session.files.directory, ignore_errors=True)
    return f"removed {session.files.directory}"
