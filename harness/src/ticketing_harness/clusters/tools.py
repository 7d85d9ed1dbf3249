"""The programs each provider needs, the oldest version of each that works, and checking them."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ticketing_harness.clusters.commands import Command, Runner, command
from ticketing_harness.errors import HarnessError

_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Tool:
    """A program, how to ask its version, and the oldest version we accept (None: any)."""

    name: str
    version: Command
    minimum: tuple[int, ...] | None
    why: str

    def check(self, runner: Runner) -> str:
        """Its version, or a HarnessError saying what to install or upgrade."""
        result = runner.result(self.version)
        text = (result.stdout + result.stderr).strip()
        if not result.ok:
            raise HarnessError(f"{self.name} does not answer `{self.version}`: {_last(text)}")
        found = parse_version(self.name, text)
        if self.minimum and found < self.minimum:
            raise HarnessError(
                f"{self.name} {_dotted(found)} is too old: {self.why} needs"
                f" {_dotted(self.minimum)} or newer"
            )
        return _dotted(found)


def parse_version(name: str, text: str) -> tuple[int, ...]:
    """The first version number in a program's answer (JSON from kubectl and gcloud)."""
    if name == "kubectl":
        text = json.loads(text)["clientVersion"]["gitVersion"]
    match = _VERSION.search(text)
    if match is None:
        raise HarnessError(f"cannot read the version of {name} from: {_last(text)}")
    return tuple(int(part) for part in match.groups(default="0"))


TOOLS = {
    "kind": Tool(
        "kind",
        command("kind", "version"),
        (0, 32, 0),
        "the pinned node image (kindest/node:v1.36.1)",
    ),
    "docker": Tool(
        "docker",
        command("docker", "--version"),
        (24, 0, 0),
        "building images with BuildKit",
    ),
    "kubectl": Tool(
        "kubectl",
        command("kubectl", "version", "--client", "--output", "json"),
        (1, 30, 0),
        "kustomize components and server-side apply",
    ),
    "gcloud": Tool("gcloud", command("gcloud", "version"), None, "GKE"),
    "gke-gcloud-auth-plugin": Tool(
        "gke-gcloud-auth-plugin",
        command("gke-gcloud-auth-plugin", "--version"),
        None,
        "kubectl access to GKE",
    ),
    "eksctl": Tool(
        "eksctl", command("eksctl", "version"), (0, 200, 0), "the ClusterConfig add-ons"
    ),
    "aws": Tool("aws", command("aws", "--version"), (2, 0, 0), "ECR logins"),
    # Skaffold reads skaffold/v4beta14 configs from v2.19.0 on ("unknown apiVersion" before).
    "skaffold": Tool("skaffold", command("skaffold", "version"), (2, 19, 0), "skaffold/v4beta14"),
}

DOCKER_INFO = command("docker", "info", "--format", "{{json .}}")
# kind runs its nodes in Podman when asked to (or when `docker` is Podman's stand-in).
PODMAN_INFO = command("podman", "info", "--format", "json")
UNPRIVILEGED_PORT_START = Path("/proc/sys/net/ipv4/ip_unprivileged_port_start")


def tools_for(*names: str) -> list[Tool]:
    return [TOOLS[name] for name in names]


@dataclass(frozen=True)
class Engine:
    """The container engine kind runs its nodes in."""

    name: str
    version: str
    rootless: bool


def engine_command() -> Command:
    return PODMAN_INFO if os.environ.get("KIND_EXPERIMENTAL_PROVIDER") == "podman" else DOCKER_INFO


def container_engine(runner: Runner) -> Engine:
    """Docker's or Podman's version and whether it runs rootless, or why it does not answer."""
    cmd = engine_command()
    result = runner.result(cmd)
    if not result.ok:
        fix = (
            "start Podman (`podman machine start`)"
            if cmd is PODMAN_INFO
            else "start Docker Desktop or the Docker service (`sudo systemctl start docker`)"
        )
        raise HarnessError(
            f"{cmd.argv[0].capitalize()} does not answer: {fix}:"
            f" {_last(result.stderr or result.stdout)}"
        )
    info = json.loads(result.stdout)
    if "host" in info:  # Podman's own answer, also behind its `docker` stand-in
        security = info["host"].get("security") or {}
        return Engine("Podman", str(info["version"]["Version"]), bool(security.get("rootless")))
    options = info.get("SecurityOptions") or []
    rootless = any("name=rootless" in option.split(",") for option in options)
    return Engine("Docker", str(info.get("ServerVersion", "unknown")), rootless)


def docker_answers(runner: Runner) -> str:
    """The container engine and its version, or why it does not answer."""
    engine = container_engine(runner)
    return f"{engine.name} {engine.version}" + (" (rootless)" if engine.rootless else "")


def ensure_binds(engine: Engine, ports: tuple[int, ...], sysctl: Path) -> None:
    """A rootless engine binds ports below net.ipv4.ip_unprivileged_port_start only if lowered."""
    if not engine.rootless or not ports:
        return
    start = int(sysctl.read_text()) if sysctl.exists() else 1024
    low = [port for port in ports if port < start]
    if low:
        listed = " and ".join(str(port) for port in low)
        raise HarnessError(
            f"rootless {engine.name} cannot bind ports {listed}, which kind maps to the ingress"
            f" controller: allow it with `sudo sysctl net.ipv4.ip_unprivileged_port_start="
            f"{min(low)}` (and a file in /etc/sysctl.d/ to keep it), or run {engine.name} as root"
        )


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)


def _last(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
