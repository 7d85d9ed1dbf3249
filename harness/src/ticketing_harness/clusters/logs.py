"""`ticketing cluster logs SERVICE`: the logs of every pod of one service, through the API."""

from __future__ import annotations

from collections.abc import Callable

from ticketing_harness.clusters.naming import NAMESPACE
from ticketing_harness.clusters.session import Session
from ticketing_harness.errors import HarnessError


def pod_names(session: Session, service: str) -> list[str]:
    """The pods of `service` (by its app.kubernetes.io/name label), oldest first."""
    pods = session.kube.pods(NAMESPACE, {"app.kubernetes.io/name": service})
    if not pods:
        raise HarnessError(
            f"no pods of {service!r} in namespace {NAMESPACE}: see `ticketing cluster status`"
        )
    pods.sort(key=lambda pod: pod["metadata"].get("creationTimestamp") or "")
    return [pod["metadata"]["name"] for pod in pods]


def stream(
    session: Session,
    pod: str,
    follow: bool,
    lines: int,
    prefix: bool,
    write: Callable[[str], None],
) -> None:
    """Write a pod's last `lines` lines, and what follows when `follow`; prefixed by its name."""
    try:
        for line in session.kube.log(pod, NAMESPACE, follow=follow, tail=lines):
            write(f"{pod} | {line}" if prefix else line)
    except HarnessError as error:
        write(f"{pod}: no logs ({error})\n")
