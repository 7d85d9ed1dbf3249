"""Step 1: every program present at a usable version; for a new kind cluster, a container
engine that answers and may bind the host ports, and those ports free."""

from __future__ import annotations

import socket

from ticketing_harness.clusters import local_registry
from ticketing_harness.clusters.providers import Kind
from ticketing_harness.clusters.session import Session
from ticketing_harness.clusters.tools import (
    Tool,
    container_engine,
    engine_command,
    ensure_binds,
)
from ticketing_harness.errors import HarnessError
from ticketing_harness.ports import port_holder


def plan(session: Session, tools: list[Tool]) -> list[str]:
    lines = [str(tool.version) for tool in tools]
    if any(tool.name == "docker" for tool in tools):
        lines.append(f"{engine_command()}  # the engine answers; rootless or not")
    if _new_kind_cluster_possible(session):
        ports = " and ".join(str(port) for port in session.kind_ports)
        lines.append(f"{session.cloud.exists()}  # then, for a new cluster:")
        lines.append(
            f"a rootless engine: net.ipv4.ip_unprivileged_port_start must allow ports {ports}"
        )
        lines.append(f"check that nothing listens on 127.0.0.1 ports {ports}")
    if session.uses_local_registry:
        lines.append(
            f"{local_registry.running()}  # if not running: nothing listens on port"
            f" {local_registry.HOST_PORT}"
        )
    return lines


def run(session: Session, tools: list[Tool]) -> str:
    found = [f"{tool.name} {tool.check(session.runner)}" for tool in tools]
    engine = None
    if any(tool.name == "docker" for tool in tools):
        engine = container_engine(session.runner)
        rootless = " (rootless)" if engine.rootless else ""
        found.append(f"{engine.name} engine {engine.version}{rootless}")
    cloud = session.cloud
    new = (
        _new_kind_cluster_possible(session)
        and isinstance(cloud, Kind)
        and not cloud.is_listed(session.runner.run(cloud.exists()).stdout)
    )
    if new and engine is not None:
        ensure_binds(engine, session.kind_ports, session.unprivileged_port_start)
        for port in session.kind_ports:
            ensure_port_free(port, "kind maps ports 80 and 443 to the ingress controller")
        found.append(f"ports {', '.join(map(str, session.kind_ports))} free")
    if session.uses_local_registry and not _registry_running(session):
        for port in session.registry_ports:
            ensure_port_free(port, f"the local registry {local_registry.NAME} listens there")
        found.append("the local registry's port free")
    return ", ".join(found)


def ensure_port_free(port: int, why: str) -> None:
    """Nothing answers on 127.0.0.1:`port` (Docker binds it as root, so we test by connecting)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        taken = sock.connect_ex(("127.0.0.1", port)) == 0
    if taken:
        holder = port_holder(port)
        by = f" by {holder}" if holder else ""
        raise HarnessError(f"port {port} on 127.0.0.1 is taken{by}: stop it first, because {why}")


def _new_kind_cluster_possible(session: Session) -> bool:
    return isinstance(session.cloud, Kind) and session.named_context is None


def _registry_running(session: Session) -> bool:
    state = session.runner.result(local_registry.running())
    return state.ok and state.stdout.strip() == "true"
