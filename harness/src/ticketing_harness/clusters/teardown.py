"""Before a cloud cluster is deleted: its Gateways, then its LoadBalancer Services, so that no
cloud load balancer outlives the cluster.

The Gateways go first because NGINX Gateway Fabric re-creates the data plane's Service of a
Gateway that still exists as soon as the Service is deleted; deleting the Gateway removes the
Service with it (it is the Service's owner).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from lightkube.resources.core_v1 import Service

from ticketing_harness.clusters import kube as k8s
from ticketing_harness.clusters.session import Session
from ticketing_harness.clusters.steps import until

_GATEWAY = ("gateway.networking.k8s.io/v1", "Gateway")


def plan(session: Session) -> list[str]:
    return [
        "API: delete every Gateway (NGINX Gateway Fabric removes its Service with it), then"
        " watch until each is gone",
        "API: delete every Service of type LoadBalancer, then watch until each is gone",
    ]


def release_load_balancers(session: Session) -> str:
    """Delete the Gateways, then the LoadBalancer Services; wait until all are gone."""
    kube = session.kube
    deadline = time.monotonic() + session.timeout
    gateway = k8s.custom_kind(*_GATEWAY)
    gateways = _delete(kube, gateway, kube.served_objects(gateway))
    _until_gone(session, deadline, lambda: kube.served_objects(gateway), "Gateways")
    services = _delete(kube, Service, kube.load_balancer_services())
    _until_gone(session, deadline, kube.load_balancer_services, "LoadBalancer Services")
    deleted = [f"{len(gateways)} Gateways", f"{len(services)} LoadBalancer Services"]
    names = ", ".join(gateways + services)
    return "deleted " + " and ".join(deleted) + (f" ({names})" if names else "")


def _delete(kube: k8s.Kube, resource: object, found: list[k8s.Manifest]) -> list[str]:
    for obj in found:
        kube.delete(resource, obj["metadata"]["name"], obj["metadata"].get("namespace"))
    return [f"{obj['metadata'].get('namespace')}/{obj['metadata']['name']}" for obj in found]


def _until_gone(
    session: Session, deadline: float, listed: Callable[[], list[k8s.Manifest]], what: str
) -> None:
    def remaining() -> str | None:
        left = listed()
        return None if not left else "waiting for " + ", ".join(o["metadata"]["name"] for o in left)

    until(
        remaining,
        timeout=max(deadline - time.monotonic(), 1.0),
        interval=session.poll_interval,
        what=f"{what} are still there",
    )
