"""kind, GKE and EKS: the commands that create, reach, check and delete each kind of cluster."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ticketing_harness.clusters.commands import Command, Runner, command
from ticketing_harness.clusters.naming import IMAGE_PREFIX
from ticketing_harness.clusters.paths import ClusterFiles
from ticketing_harness.clusters.spec import ClusterSpec, Provider, refuse_container_registry
from ticketing_harness.clusters.tools import Tool, tools_for

KIND_CONFIG = Path("clusters/overlays/kind/kind-cluster.yaml")
EKSCTL_CONFIG = Path("clusters/overlays/eks/eksctl-cluster.yaml")


@dataclass(frozen=True)
class Kind:
    spec: ClusterSpec
    files: ClusterFiles
    repo: Path

    overlay = "kind"

    def tools(self) -> list[Tool]:
        return tools_for("kind", "docker", "kubectl")

    def exists(self) -> Command:
        return command("kind", "get", "clusters")

    def is_listed(self, output: str) -> bool:
        return self.spec.name in output.split()

    def create(self) -> list[Command]:
        return [
            command(
                "kind", "create", "cluster", "--name", self.spec.name,
                "--config", str(self.repo / KIND_CONFIG),
                "--kubeconfig", str(self.files.kubeconfig), "--wait", "120s",
            )
        ]  # fmt: skip

    def credentials(self) -> Command:
        return command(
            "kind", "export", "kubeconfig", "--name", self.spec.name,
            "--kubeconfig", str(self.files.kubeconfig),
        )  # fmt: skip

    def delete(self) -> Command:
        return command(
            "kind", "delete", "cluster", "--name", self.spec.name,
            "--kubeconfig", str(self.files.kubeconfig),
        )  # fmt: skip

    def registry(self, runner: Runner | None) -> str | None:
        return None

    def load(self, refs: list[str]) -> Command:
        """Copy locally built images into the cluster's node: no registry involved."""
        return command("kind", "load", "docker-image", *refs, "--name", self.spec.name)


@dataclass(frozen=True)
class Gke:
    spec: ClusterSpec
    files: ClusterFiles
    repo: Path

    overlay = "gke"

    @property
    def _where(self) -> tuple[str, ...]:
        return ("--region", self.spec.location, "--project", str(self.spec.project))

    def tools(self) -> list[Tool]:
        return tools_for("gcloud", "gke-gcloud-auth-plugin", "docker", "kubectl")

    def exists(self) -> Command:
        return command(
            "gcloud", "container", "clusters", "describe", self.spec.name, *self._where,
            "--format=value(name)",
        )  # fmt: skip

    def create(self) -> list[Command]:
        return [
            command(
                "gcloud", "container", "clusters", "create-auto", self.spec.name, *self._where,
                "--labels=created-by=ticketing", "--quiet",
            )
        ]  # fmt: skip

    def credentials(self) -> Command:
        return command(
            "gcloud", "container", "clusters", "get-credentials", self.spec.name, *self._where,
            env={"KUBECONFIG": str(self.files.kubeconfig)},
        )  # fmt: skip

    def delete(self) -> Command:
        return command(
            "gcloud", "container", "clusters", "delete", self.spec.name, *self._where, "--quiet"
        )

    def registry(self, runner: Runner | None) -> str:
        """Artifact Registry: REGION-docker.pkg.dev/PROJECT/ticketing unless --registry says."""
        registry = self.spec.registry or (
            f"{self.spec.location}-docker.pkg.dev/{self.spec.project}/{IMAGE_PREFIX}"
        )
        refuse_container_registry(registry)
        return registry

    def create_repository(self) -> Command:
        return command(
            "gcloud", "artifacts", "repositories", "create", IMAGE_PREFIX,
            "--repository-format=docker", "--location", self.spec.location,
            "--project", str(self.spec.project),
        )  # fmt: skip

    def docker_login(self, registry: str) -> Command:
        return command("gcloud", "auth", "configure-docker", registry.split("/", 1)[0], "--quiet")

    def repository_exists(self) -> Command:
        return command(
            "gcloud", "artifacts", "repositories", "describe", IMAGE_PREFIX,
            "--location", self.spec.location, "--project", str(self.spec.project),
        )  # fmt: skip

    def account(self) -> Command:
        return command("gcloud", "config", "get-value", "account")


@dataclass(frozen=True)
class Eks:
    spec: ClusterSpec
    files: ClusterFiles
    repo: Path

    overlay = "eks"

    def tools(self) -> list[Tool]:
        return tools_for("eksctl", "aws", "docker", "kubectl")

    def exists(self) -> Command:
        return command(
            "eksctl", "get", "cluster", "--name", self.spec.name, "--region", self.spec.location
        )

    def create(self) -> list[Command]:
        return [
            command(
                "eksctl", "create", "cluster", "-f", str(self.files.eksctl_config),
                "--kubeconfig", str(self.files.kubeconfig),
            )
        ]  # fmt: skip

    def write_config(self) -> Path:
        """eksctl takes name and region from the file only: write a copy with ours."""
        config = yaml.safe_load((self.repo / EKSCTL_CONFIG).read_text())
        config["metadata"]["name"] = self.spec.name
        config["metadata"]["region"] = self.spec.location
        self.files.eksctl_config.parent.mkdir(parents=True, exist_ok=True)
        self.files.eksctl_config.write_text(yaml.safe_dump(config, sort_keys=False))
        return self.files.eksctl_config

    def credentials(self) -> Command:
        return command(
            "eksctl", "utils", "write-kubeconfig", "--cluster", self.spec.name,
            "--region", self.spec.location, "--kubeconfig", str(self.files.kubeconfig),
        )  # fmt: skip

    def delete(self) -> Command:
        return command(
            "eksctl", "delete", "cluster", "--name", self.spec.name,
            "--region", self.spec.location, "--wait",
        )  # fmt: skip

    def account(self) -> Command:
        return command(
            "aws", "sts", "get-caller-identity", "--query", "Account", "--output", "text"
        )

    def registry(self, runner: Runner | None) -> str:
        """ECR: ACCOUNT.dkr.ecr.REGION.amazonaws.com/ticketing unless --registry says."""
        if self.spec.registry:
            return self.spec.registry
        account = runner.run(self.account()).stdout.strip() if runner else "<account>"
        return f"{account}.dkr.ecr.{self.spec.location}.amazonaws.com/{IMAGE_PREFIX}"

    def repository_exists(self, component: str) -> Command:
        return command(
            "aws", "ecr", "describe-repositories", "--repository-names",
            f"{IMAGE_PREFIX}/{component}", "--region", self.spec.location,
        )  # fmt: skip

    def create_repository(self, component: str) -> Command:
        return command(
            "aws", "ecr", "create-repository", "--repository-name", f"{IMAGE_PREFIX}/{component}",
            "--image-scanning-configuration", "scanOnPush=true", "--region", self.spec.location,
        )  # fmt: skip

    def docker_login(self, registry: str) -> Command:
        password = command("aws", "ecr", "get-login-password", "--region", self.spec.location)
        return Command(
            ("docker", "login", "--username", "AWS", "--password-stdin", registry.split("/", 1)[0]),
            stdin_from=password,
        )


def cloud_for(spec: ClusterSpec, files: ClusterFiles, repo: Path) -> Kind | Gke | Eks:
    kinds: dict[Provider, type[Kind | Gke | Eks]] = {
        Provider.KIND: Kind,
        Provider.GKE: Gke,
        Provider.EKS: Eks,
    }
    return kinds[spec.provider](spec, files, repo)
