"""Step 5: build the images of the commit and put them where the cluster pulls from.

kind: pushed to its local registry (only the layers it lacks), or `kind load`ed into the node.
GKE: Artifact Registry, created if missing, readable by the nodes' service account. EKS: an
ECR repository per image, created if missing. In the cloud, images are built for linux/amd64.
"""

from __future__ import annotations

from ticketing_harness.clusters.commands import Command
from ticketing_harness.clusters.gke import DEFAULT_ACCOUNT, artifact_repository
from ticketing_harness.clusters.images import CLOUD_PLATFORM, Images, git_tag
from ticketing_harness.clusters.providers import Eks, Gke, Kind
from ticketing_harness.clusters.session import Session


def images(session: Session) -> Images:
    """This run's images: tagged from the commit, in the cluster's registry."""
    if session.images is None:
        session.images = _images(session, git_tag(session.repo, session.runner), session.registry)
    return session.images


def planned_images(session: Session) -> Images:
    return _images(session, "<git commit>", session.cloud.registry(None))


def _images(session: Session, tag: str, registry: str) -> Images:
    platform = None if isinstance(session.cloud, Kind) else CLOUD_PLATFORM
    return Images(tag, registry, session.composition(registry).components, platform)


def plan(session: Session) -> list[str]:
    planned = planned_images(session)
    cloud = session.cloud
    lines = ["git rev-parse --short=12 HEAD  # the tag; -dirty-<digest> with local changes"]
    lines += _plan_registry(session, planned)
    for component in planned.components:
        lines.append(f"{planned.present(component)}  # skip the build when it exists")
        lines.append(str(planned.build(session.repo, component)))
    if isinstance(cloud, Kind) and not session.uses_local_registry:
        lines.append(str(cloud.load(planned.refs)))
    else:
        lines += [str(planned.push(component)) for component in planned.components]
    return lines


def run(session: Session) -> str:
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
    if isinstance(cloud, Kind) and not session.uses_local_registry:
        runner.run(cloud.load(wanted.refs), stream=True)
        where = f"loaded into kind cluster {session.spec.name}"
    else:
        for component in wanted.components:
            runner.run(wanted.push(component), stream=True)
        where = f"pushed to {wanted.registry}"
    fresh = f"built {', '.join(built)}" if built else "all already built"
    return f"{len(wanted.components)} images tagged {wanted.tag} ({fresh}), {where}"


def _registry_commands(session: Session, wanted: Images) -> list[Command]:
    """Cloud registries: create what is missing, let the nodes pull, log Docker in."""
    cloud, runner = session.cloud, session.runner
    if isinstance(cloud, Kind):
        return []
    commands: list[Command] = []
    if isinstance(cloud, Gke):
        repository = artifact_repository(wanted.registry)
        if repository is not None:
            if not runner.succeeds(repository.exists()):
                commands.append(repository.create())
            commands.append(repository.grant_pull(_node_account(session, cloud)))
    if isinstance(cloud, Eks):
        commands += [
            cloud.create_repository(wanted.registry, component)
            for component in wanted.components
            if not runner.succeeds(cloud.repository_exists(wanted.registry, component))
        ]
    return [*commands, cloud.docker_login(wanted.registry)]


def _node_account(session: Session, cloud: Gke) -> str:
    """The email of the service account GKE's nodes pull images as."""
    account = session.runner.run(cloud.node_account()).stdout.strip()
    if account in ("", DEFAULT_ACCOUNT):
        number = session.runner.run(cloud.project_number()).stdout.strip()
        return f"{number}-compute@developer.gserviceaccount.com"
    return account


def _plan_registry(session: Session, planned: Images) -> list[str]:
    cloud = session.cloud
    if isinstance(cloud, Kind):
        return []
    if isinstance(cloud, Gke):
        repository = artifact_repository(planned.registry)
        if repository is None:
            lines = [f"{planned.registry} is not Artifact Registry: the nodes must be able to pull"]
        else:
            lines = [
                f"{repository.exists()} || {repository.create()}",
                f"{cloud.node_account()}  # `default`: the Compute Engine default account,",
                f"{cloud.project_number()}  # PROJECT_NUMBER-compute@developer.gserviceaccount.com",
                f"{repository.grant_pull('<the nodes service account>')}",
            ]
    else:
        lines = [
            f"{cloud.repository_exists(planned.registry, c)}"
            f" || {cloud.create_repository(planned.registry, c)}"
            for c in planned.components
        ]
    return [*lines, str(cloud.docker_login(planned.registry))]
