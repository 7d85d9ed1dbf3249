"""Step 2: create the cluster, or reuse one this tool created; and delete it at the end.

For kind, the local registry comes with it: its container before the cluster, then each node's
containerd mirror, the kind network and the `local-registry-hosting` ConfigMap.
"""

from __future__ import annotations

from typing import Any

from ticketing_harness.clusters import local_registry
from ticketing_harness.clusters.commands import Command
from ticketing_harness.clusters.naming import PART_OF
from ticketing_harness.clusters.providers import Cloud, Eks, Gke, Kind
from ticketing_harness.clusters.session import Session
from ticketing_harness.errors import HarnessError

# Written into every cluster we create, so a lost state directory does not orphan it.
MARKER = ("kube-public", "ticketing-cluster")


def plan(session: Session) -> list[str]:
    if session.named_context:
        return [f"use context {session.named_context} of {session.kubeconfig} (no cluster created)"]
    cloud = session.cloud
    lines = [f"{cloud.exists()}  # reuse the cluster when it exists and is ours"]
    if session.uses_local_registry:
        lines += local_registry.plan_container()
    if isinstance(cloud, Eks):
        lines.append(f"write {session.files.eksctl_config} (eksctl config with name and region)")
    lines += [str(cmd) for cmd in _create_commands(cloud)]
    lines.append(f"API: server-side apply ConfigMap {MARKER[0]}/{MARKER[1]} (marks it ours)")
    if session.uses_local_registry:
        lines += local_registry.plan_cluster(session.spec.name)
    return lines


def run(session: Session) -> str:
    if session.named_context:
        session.check_context()
        session.remember(created_by_us=False, done="cluster")
        return f"using context {session.named_context} (not created by ticketing)"
    cloud = session.cloud
    if _exists(session):
        return _reuse(session) + _wire_registry(session)
    registry = (
        local_registry.ensure_container(session.runner) if session.uses_local_registry else ""
    )
    if isinstance(cloud, Eks):
        cloud.write_config()
    for cmd in _create_commands(cloud):
        session.runner.run(cmd, stream=True)
    session.kube.apply([_marker(session)])
    session.remember(created_by_us=True, done="cluster")
    created = (
        f"created {session.spec.provider} cluster {session.spec.name} (context {session.context})"
    )
    return created + (f"; {registry}" if registry else "") + _wire_registry(session)


def _wire_registry(session: Session) -> str:
    if not session.uses_local_registry:
        return ""
    local_registry.ensure_container(session.runner)
    nodes = local_registry.connect_cluster(session.runner, session.spec.name)
    session.kube.apply([local_registry.hosting()])
    return f"; {local_registry.HOST} mirrored on {len(nodes)} node(s)"


def _create_commands(cloud: Cloud) -> list[Command]:
    # gcloud writes credentials only when asked; kind and eksctl write them as they create.
    credentials = [cloud.credentials()] if isinstance(cloud, Gke) else []
    return [*cloud.create(), *credentials]


def _exists(session: Session) -> bool:
    cloud = session.cloud
    result = session.runner.result(cloud.exists())
    if isinstance(cloud, Kind):
        return result.ok and cloud.is_listed(result.stdout)
    return result.ok


def _reuse(session: Session) -> str:
    """A cluster of that name exists: ours (record or marker) is reused, anyone else's refused."""
    record = session.record
    if not session.files.kubeconfig.exists() or record is None:
        session.runner.run(session.cloud.credentials())
    marked = session.kube.config_map(MARKER[1], MARKER[0]) is not None
    if not (record is not None and record.created_by_us) and not marked:
        raise HarnessError(
            f"a {session.spec.provider} cluster named {session.spec.name} already exists and"
            " was not created by ticketing: choose another --name, or use it with"
            f" --context {session.context} --yes"
        )
    session.remember(created_by_us=True, done="cluster")
    session.check_context()
    return f"reusing cluster {session.spec.name} (context {session.context})"


def _marker(session: Session) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": MARKER[1], "namespace": MARKER[0]},
        "data": {
            "name": session.spec.name,
            "provider": session.spec.provider.value,
            "created-by": PART_OF,
        },
    }


def plan_delete(session: Session) -> list[str]:
    lines = [str(session.cloud.delete())]
    if isinstance(session.cloud, Kind) and session.spec.local_registry:
        lines.append(
            f"the {local_registry.NAME} container stays (other kind clusters may use it):"
            f" `docker rm --force {local_registry.NAME}` removes it"
        )
    return lines


def delete(session: Session) -> str:
    """Delete the cluster (the delete workflow checked first that we created it)."""
    session.runner.run(session.cloud.delete(), stream=True)
    return f"deleted {session.spec.provider} cluster {session.spec.name}"
