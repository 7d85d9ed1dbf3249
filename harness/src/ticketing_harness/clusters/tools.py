"""The programs each provider needs, the oldest version of each that works, and checking them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

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
    "skaffold": Tool("skaffold", command("skaffold", "version"), (2, 10, 0), "skaffold/v4beta14"),
}

DOCKER_ANSWERS = command("docker", "info", "--format", "{{.ServerVersion}}")


def tools_for(*names: str) -> list[Tool]:
    return [TOOLS[name] for name in names]


def docker_answers(runner: Runner) -> str:
    """The Docker engine's version, or why it does not answer."""
    result = runner.result(DOCKER_ANSWERS)
    if not result.ok:
        raise HarnessError(
            "Docker does not answer: start Docker Desktop or the Docker service"
            f" (`sudo systemctl start docker`): {_last(result.stderr or result.stdout)}"
        )
    return result.stdout.strip()


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)


def _last(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
