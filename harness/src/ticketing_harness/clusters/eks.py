"""EKS: the commands that create, reach and delete the cluster with eksctl, and ECR."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ticketing_harness.clusters.commands import Command, Runner, command
from ticketing_harness.clusters.naming import IMAGE_PREFIX
from ticketing_harness.clusters.provider_base import ProviderBase
from ticketing_harness.clusters.tools import Tool, tools_for

EKSCTL_CONFIG = Path("clusters/overlays/eks/eksctl-cluster.yaml")


@dataclass(frozen=True)
class Eks(ProviderBase):
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
        # eksctl removes the cluster's context from $KUBECONFIG (else ~/.kube/config).
        return command(
            "eksctl", "delete", "cluster", "--name", self.spec.name,
            "--region", self.spec.location, "--wait",
            env={"KUBECONFIG": str(self.files.kubeconfig)},
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

    def repository_name(self, registry: str, component: str) -> str:
        """The ECR repository of a component: the registry's path and the component."""
        path = registry.split("/", 1)[1] if "/" in registry else ""
        return f"{path}/{component}" if path else component

    def repository_exists(self, registry: str, component: str) -> Command:
        return command(
            "aws", "ecr", "describe-repositories", "--repository-names",
            self.repository_name(registry, component), "--region", self.spec.location,
        )  # fmt: skip

    def create_repository(self, registry: str, component: str) -> Command:
        return command(
            "aws", "ecr", "create-repository", "--repository-name",
            self.repository_name(registry, component),
            "--image-scanning-configuration", "scanOnPush=true", "--region", self.spec.location,
        )  # fmt: skip

    def docker_login(self, registry: str) -> Command:
        password = command("aws", "ecr", "get-login-password", "--region", self.spec.location)
        return Command(
            ("docker", "login", "--username", "AWS", "--password-stdin", registry.split("/", 1)[0]),
            stdin_from=password,
        )
