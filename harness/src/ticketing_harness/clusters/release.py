"""Steps 4 to 6: the Secrets, the images (built, then loaded or pushed) and the manifests."""

from __future__ import annotations

import time
from typing import Any

from ticketing_harness.certificates import ensure_certificates
from ticketing_harness.clusters import kube as k8s
from ticketing_harness.clusters.commands import Command
from ticketing_harness.clusters.images import Images, git_tag
from ticketing_harness.clusters.ingress import namespace
from ticketing_harness.clusters.manifests import render, render_command, write_release
from ticketing_harness.clusters.naming import NAMESPACE, built_images
from ticketing_harness.clusters.providers import Eks, Gke, Kind
from ticketing_harness.clusters.secrets import ensure_credentials, redacted, secret_manifests
from ticketing_harness.clusters.session import Session

Manifest = dict[str, Any]
_SECRET_NAMES = (
    "ticketing-jwt (JWT_KEY) and ticketing-csrf (CSRF_KEY), generated once and kept",
    "ticketing-postgres (a password and DATABASE_URL per service)",
    "ticketing-nats, ticketing-redis (password, URL)",
    "ticketing-stripe (STRIPE_SECRET_KEY from the environment, else localstripe's)",
    "ticketing-tls (ticketing.dev, signed by the `ticketing certs` CA)",
)


def plan_secrets(session: Session) -> list[str]:
    where = session.files.secrets
    lines = [f"keep generated credentials in {where} (mode 0600)"]
    return lines + [f"API: server-side apply Secret {name}" for name in _SECRET_NAMES]


def run_secrets(session: Session) -> str:
    kube = session.kube
    kube.apply([namespace(session)])
    credentials = ensure_credentials(
        session.files.secrets, lambda name: kube.secret_data(name, NAMESPACE)
    )
    certificates, _ = ensure_certificates(session.certs_dir)
    manifests = secret_manifests(credentials, session.stripe_key, certificates)
    kube.apply(manifests)
    return "; ".join(redacted(manifest) for manifest in manifests)


def components(session: Session) -> tuple[str, ...]:
    return built_images(localstripe=session.stripe_key is None)


def images(session: Session) -> Images:
    if session.images is None:
        registry = session.cloud.registry(session.runner)
        session.images = Images(
            git_tag(session.repo, session.runner), registry, components(session)
        )
    return session.images


def planned_images(session: Session) -> Images:
    return Images("<git commit>", session.cloud.registry(None), components(session))


def plan_images(session: Session) -> list[str]:
    planned = planned_images(session)
    cloud = session.cloud
    lines = ["git rev-parse --short=12 HEAD  # the tag; -dirty-<digest> with local changes"]
    lines += _plan_registry(session, planned)
    for component in planned.components:
        lines.append(f"{planned.present(component)}  # skip the build when it exists")
        lines.append(str(planned.build(session.repo, component)))
    if isinstance(cloud, Kind):
        lines.append(str(cloud.load(planned.refs)))
    else:
        lines += [str(planned.push(component)) for component in planned.components]
    return lines


def run_images(session: Session) -> str:
    wanted = images(session)
    runner = session.runner
    for cmd in _registry_commands(session, wanted):
        runner.run(cmd)
    built = []
    for component in wanted.components:
        if not runner.succeeds(wanted.present(component)):
            runner.run(wanted.build(session.repo, component), stream=True)
            built.append(component)
    cloud = session.cloud
    if isinstance(cloud, Kind):
        runner.run(cloud.load(wanted.refs), stream=True)
        where = f"loaded into kind cluster {session.spec.name}"
    else:
        for component in wanted.components:
            runner.run(wanted.push(component), stream=True)
        where = f"pushed to {wanted.registry}"
    fresh = f"built {', '.join(built)}" if built else "all already built"
    return f"{len(wanted.components)} images tagged {wanted.tag} ({fresh}), {where}"


def _registry_commands(session: Session, wanted: Images) -> list[Command]:
    """Cloud registries: create the repositories that are missing, then log Docker in."""
    cloud, runner, registry = session.cloud, session.runner, wanted.registry
    if isinstance(cloud, Kind) or registry is None:
        return []
    missing: list[Command] = []
    if isinstance(cloud, Gke) and not runner.succeeds(cloud.repository_exists()):
        missing.append(cloud.create_repository())
    if isinstance(cloud, Eks):
        missing += [
            cloud.create_repository(component)
            for component in wanted.components
            if not runner.succeeds(cloud.repository_exists(component))
        ]
    return [*missing, cloud.docker_login(registry)]


def _plan_registry(session: Session, planned: Images) -> list[str]:
    cloud, registry = session.cloud, planned.registry
    if isinstance(cloud, Kind) or registry is None:
        return []
    if isinstance(cloud, Gke):
        checks = [(cloud.repository_exists(), cloud.create_repository())]
    else:
        checks = [
            (cloud.repository_exists(component), cloud.create_repository(component))
            for component in planned.components
        ]
    lines = [f"{check} || {create}" for check, create in checks]
    return [*lines, str(cloud.docker_login(registry))]


def plan_deploy(session: Session) -> list[str]:
    files = session.files
    return [
        f"write {files.manifests}/kustomization.yaml (overlay {session.cloud.overlay},"
        f" routing {session.spec.ingress}"
        + (", localstripe)" if session.stripe_key is None else ")"),
        f"write {files.release}/kustomization.yaml (images tagged from the git commit)",
        str(render_command(files.release)),
        "API: server-side apply of every rendered object (field manager ticketing)",
        "API: watch each Deployment and StatefulSet until rolled out",
    ]


def run_deploy(session: Session) -> str:
    deadline = time.monotonic() + session.timeout
    wanted = images(session)
    session.write_manifests()
    write_release(session.files, wanted)
    manifests = render(session.files.release, session.runner)
    kube = session.kube
    kube.apply(manifests)
    targets = [t for t in map(k8s.rollout_target, manifests) if t is not None]
    kube.wait_all(targets, max(deadline - time.monotonic(), 1.0))
    session.remember(done="deploy")
    return f"applied {len(manifests)} objects; {len(targets)} workloads rolled out"
