"""Step 1: every program present at a usable version; for kind, Docker up and ports 80/443 free."""

from __future__ import annotations

import socket

from ticketing_harness.clusters.providers import Kind
from ticketing_harness.clusters.session import Session
from ticketing_harness.clusters.tools import DOCKER_ANSWERS, Tool, docker_answers
from ticketing_harness.errors import HarnessError
from ticketing_harness.ports import port_holder


def plan(session: Session, tools: list[Tool]) -> list[str]:
    lines = [str(tool.version) for tool in tools]
    if any(tool.name == "docker" for tool in tools):
        lines.append(str(DOCKER_ANSWERS))
    if _new_kind_cluster_possible(session):
        ports = " and ".join(str(port) for port in session.kind_ports)
        lines.append(f"{session.cloud.exists()}  # then, for a new cluster:")
        lines.append(f"check that nothing listens on 127.0.0.1 ports {ports}")
    return lines


def run(session: Session, tools: list[Tool]) -> str:
    found = [f"{tool.name} {tool.check(session.runner)}" for tool in tools]
    if any(tool.name == "docker" for tool in tools):
        found.append(f"Docker engine {docker_answers(session.runner)}")
    cloud = session.cloud
    new = (
        _new_kind_cluster_possible(session)
        and isinstance(cloud, Kind)
        and not cloud.is_listed(session.runner.run(cloud.exists()).stdout)
    )
    if new:
        for port in session.kind_ports:
            ensure_port_free(port)
        found.append(f"ports {', '.join(map(str, session.kind_ports))} free")
    return ", ".join(found)


def ensure_port_free(port: int) -> None:
    """Nothing answers on 127.0.0.1:`port` (Docker binds it as root, so we test by connecting)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        taken = sock.connect_ex(("127.0.0.1", port)) == 0
    if taken:
        holder = port_holder(port)
        by = f" by {holder}" if holder else ""
        raise HarnessError(
            f"port {port} on 127.0.0.1 is taken{by}: stop it first, because kind maps ports"
            " 80 and 443 to the ingress controller"
        )


def _new_kind_cluster_possible(session: Session) -> bool:
    return isinstance(session.cloud, Kind) and session.named_context is None
