"""kind: the commands that create, reach, check and delete a kind cluster, and load images."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ticketing_harness.clusters import local_registry
from ticketing_harness.clusters.commands import Command, Runner, command
from ticketing_harness.clusters.pins import reference
from ticketing_harness.clusters.provider_base import ProviderBase
from ticketing_harness.clusters.spec import Ingress
from ticketing_harness.clusters.tools import Tool, tools_for

KIND_CONFIG = Path("clusters/overlays/kind/kind-cluster.yaml")
# ingress-nginx's last release is tested on Kubernetes 1.31 to 1.35; kind's newest node is 1.36.
NODE_IMAGES = {Ingress.GATEWAY: "kind-node", Ingress.NGINX: "kind-node-ingress-nginx"}


@dataclass(frozen=True)
class Kind(ProviderBase):
    overlay = "kind"

    def tools(self) -> list[Tool]:
        return tools_for("kind", "docker", "kubectl")

    def exists(self) -> Command:
        return command("kind", "get", "clusters")

    def is_listed(self, output: str) -> bool:
        return self.spec.name in output.split()

    @property
    def node_image(self) -> str:
        return reference(NODE_IMAGES[self.spec.ingress])

    def create(self) -> list[Command]:
        return [
            command(
                "kind", "create", "cluster", "--name", self.spec.name,
                "--image", self.node_image, "--config", str(self.repo / KIND_CONFIG),
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

    def registry(self, runner: Runner | None) -> str:
        """The local registry's name for our images (also when they are loaded instead)."""
        return local_registry.REGISTRY

    def load(self, refs: list[str]) -> Command:
        """Copy locally built images into the cluster's node: no registry involved."""
        return command("kind", "load", "docker-image", *refs, "--name", self.spec.name)
