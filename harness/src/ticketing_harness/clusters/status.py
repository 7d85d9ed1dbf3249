"""What runs in the cluster: each workload's readiness and image, and the URL."""

from __future__ import annotations

from dataclasses import dataclass

from lightkube.resources.apps_v1 import Deployment, StatefulSet

from ticketing_harness.clusters.naming import HOSTNAME, NAMESPACE
from ticketing_harness.clusters.session import Session

URL = f"https://{HOSTNAME}"


@dataclass(frozen=True)
class Workload:
    """One Deployment or StatefulSet of the system."""

    name: str
    kind: str
    ready: int
    wanted: int
    image: str

    @property
    def is_ready(self) -> bool:
        return self.ready >= self.wanted


def workloads(session: Session) -> list[Workload]:
    found = []
    for resource, ready_key in ((Deployment, "availableReplicas"), (StatefulSet, "readyReplicas")):
        for obj in session.kube.objects(resource, namespace=NAMESPACE):
            containers = obj["spec"]["template"]["spec"]["containers"]
            found.append(
                Workload(
                    name=obj["metadata"]["name"],
                    kind=resource.__name__,
                    ready=(obj.get("status") or {}).get(ready_key, 0),
                    wanted=obj["spec"].get("replicas", 1),
                    image=containers[0]["image"],
                )
            )
    return sorted(found, key=lambda workload: workload.name)


def plan(session: Session) -> list[str]:
    return [f"API: list Deployments and StatefulSets in namespace {NAMESPACE}; print {URL}"]


def run(session: Session) -> str:
    ready = [w for w in workloads(session) if w.is_ready]
    total = len(workloads(session))
    return f"{URL} ({len(ready)} of {total} workloads ready)"
