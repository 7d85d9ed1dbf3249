"""`ticketing cluster dev`: Skaffold's dev loop on the cluster, pinned to its context.

Skaffold builds the `dev` image target, deploys the same kustomization `create` does, and
syncs changed Python sources into the running containers, where watchfiles restarts the
service; a change to anything else rebuilds the image.
"""

from __future__ import annotations

from ticketing_harness.clusters import preflight, release
from ticketing_harness.clusters.commands import Command
from ticketing_harness.clusters.images import CLOUD_PLATFORM
from ticketing_harness.clusters.providers import Kind
from ticketing_harness.clusters.session import Session
from ticketing_harness.clusters.skaffold_config import skaffold_config, write_skaffold
from ticketing_harness.clusters.steps import Step
from ticketing_harness.clusters.tools import tools_for
from ticketing_harness.clusters.workflows import checked_context


def skaffold_command(session: Session, context: str) -> Command:
    """Our artifacts already name the registry: Skaffold must not rewrite them. On kind with
    its registry, Skaffold reads `local-registry-hosting` and so pushes there (a prefix of our
    names: unchanged) instead of also `kind load`ing; elsewhere `--default-repo=` turns the
    rewrite off, even one set in Skaffold's own config."""
    argv: tuple[str, ...] = (
        "skaffold", "dev", "--filename", str(session.files.skaffold),
        "--kubeconfig", str(session.kubeconfig), "--kube-context", context,
    )  # fmt: skip
    if not session.uses_local_registry:
        argv += ("--default-repo=",)
    return Command(argv, cwd=session.repo)


def write_config(session: Session, registry: str) -> None:
    """The cluster's kustomization, and a skaffold.yaml that builds exactly its images."""
    session.write_manifests()
    kind = isinstance(session.cloud, Kind)
    config = skaffold_config(
        session.repo,
        session.composition(registry),
        session.files.manifests,
        push=session.uses_local_registry or not kind,
        platform=None if kind else CLOUD_PLATFORM,
    )
    write_skaffold(session.files.skaffold, config)


def dev_steps(session: Session) -> list[Step]:
    tools = tools_for("skaffold", "docker", "kubectl")

    def plan_loop() -> list[str]:
        cloud = session.cloud
        registry = cloud.registry(None)
        lines = [] if isinstance(cloud, Kind) else [str(cloud.docker_login(registry))]
        lines.append(f"write {session.files.manifests}/kustomization.yaml")
        lines.append(f"write {session.files.skaffold} (images in {registry})")
        return [*lines, str(skaffold_command(session, session.planned_context()))]

    def run_loop() -> str:
        cloud = session.cloud
        if not isinstance(cloud, Kind):
            session.runner.run(cloud.docker_login(session.registry))
        write_config(session, session.registry)
        session.runner.run(skaffold_command(session, session.context), stream=True)
        return "skaffold dev ended"

    return [
        Step(
            "preflight",
            "Preflight: skaffold, docker and kubectl; the context is ours or confirmed",
            lambda: preflight.plan(session, tools),
            lambda: checked_context(session) + preflight.run(session, tools),
        ),
        Step(
            "secrets",
            "Create the Secrets (kept credentials, Stripe key, TLS)",
            lambda: release.plan_secrets(session),
            lambda: release.run_secrets(session),
        ),
        Step("dev", "Run skaffold dev until Ctrl-C", plan_loop, run_loop),
    ]
