"""`ticketing cluster dev`: Skaffold's dev loop on the cluster, pinned to its context.

Skaffold builds the `dev` image target, deploys the same kustomization `create` does, and
syncs changed Python sources into the running containers, where watchfiles restarts the
service; a change to anything else rebuilds the image.
"""

from __future__ import annotations

from ticketing_harness.clusters import preflight, release
from ticketing_harness.clusters.commands import Command
from ticketing_harness.clusters.providers import Kind
from ticketing_harness.clusters.session import Session
from ticketing_harness.clusters.steps import Step
from ticketing_harness.clusters.tools import tools_for
from ticketing_harness.clusters.workflows import checked_context


def skaffold_command(session: Session, context: str, registry: str | None) -> Command:
    profile = "kind" if isinstance(session.cloud, Kind) else "cloud"
    argv = [
        "skaffold", "dev", "--filename", str(session.repo / "skaffold.yaml"),
        "--profile", profile, "--kubeconfig", str(session.kubeconfig),
        "--kube-context", context,
    ]  # fmt: skip
    if registry:
        argv += ["--default-repo", registry]
    return Command(
        tuple(argv), {"TICKETING_MANIFESTS": str(session.files.manifests)}, cwd=session.repo
    )


def dev_steps(session: Session) -> list[Step]:
    tools = tools_for("skaffold", "docker", "kubectl")

    def plan_loop() -> list[str]:
        cloud = session.cloud
        registry = cloud.registry(None)
        lines = [] if isinstance(cloud, Kind) else [str(cloud.docker_login(str(registry)))]
        lines.append(f"write {session.files.manifests}/kustomization.yaml")
        return [*lines, str(skaffold_command(session, session.planned_context(), registry))]

    def run_loop() -> str:
        cloud = session.cloud
        registry = cloud.registry(session.runner)
        if not isinstance(cloud, Kind):
            session.runner.run(cloud.docker_login(str(registry)))
        session.write_manifests()
        session.runner.run(skaffold_command(session, session.context, registry), stream=True)
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
