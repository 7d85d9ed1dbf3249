"""GKE Autopilot: the commands that create, reach and delete the cluster, and its registry.

Every `gcloud container clusters` call runs with KUBECONFIG set to the cluster's own file:
gcloud writes credentials (and the current context) into the kubeconfig it is given, and into
~/.kube/config when given none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ticketing_harness.clusters.commands import Command, Runner, command
from ticketing_harness.clusters.naming import IMAGE_PREFIX
from ticketing_harness.clusters.provider_base import ProviderBase
from ticketing_harness.clusters.spec import refuse_container_registry
from ticketing_harness.clusters.tools import Tool, tools_for

_ARTIFACT_REGISTRY = re.compile(
    r"^(?P<location>[a-z0-9-]+)-docker\.pkg\.dev/(?P<project>[a-z0-9-]+)/(?P<name>[a-z0-9-]+)$"
)
PULL_ROLE = "roles/artifactregistry.reader"
# What `describe` shows for Autopilot nodes that run as the Compute Engine default account.
DEFAULT_ACCOUNT = "default"


@dataclass(frozen=True)
class Repository:
    """An Artifact Registry repository: REGION-docker.pkg.dev/PROJECT/NAME."""

    location: str
    project: str
    name: str

    @property
    def _where(self) -> tuple[str, ...]:
        return ("--location", self.location, "--project", self.project)

    def exists(self) -> Command:
        return command("gcloud", "artifacts", "repositories", "describe", self.name, *self._where)

    def create(self) -> Command:
        return command(
            "gcloud", "artifacts", "repositories", "create", self.name,
            "--repository-format=docker", *self._where,
        )  # fmt: skip

    def grant_pull(self, account: str) -> Command:
        """Let the nodes' service account pull: granting a role it has already changes nothing."""
        return command(
            "gcloud", "artifacts", "repositories", "add-iam-policy-binding", self.name,
            *self._where, f"--member=serviceAccount:{account}", f"--role={PULL_ROLE}",
        )  # fmt: skip


def artifact_repository(registry: str) -> Repository | None:
    """The repository of an Artifact Registry name; None for any other registry."""
    found = _ARTIFACT_REGISTRY.match(registry)
    return Repository(**found.groupdict()) if found else None


@dataclass(frozen=True)
class Gke(ProviderBase):
    overlay = "gke"

    @property
    def _where(self) -> tuple[str, ...]:
        return ("--region", self.spec.location, "--project", str(self.spec.project))

    def _clusters(self, verb: str, *flags: str) -> Command:
        """`gcloud container clusters VERB NAME ...`, writing only into our kubeconfig."""
        return command(
            "gcloud", "container", "clusters", verb, self.spec.name, *self._where, *flags,
            env={"KUBECONFIG": str(self.files.kubeconfig)},
        )  # fmt: skip

    def tools(self) -> list[Tool]:
        return tools_for("gcloud", "gke-gcloud-auth-plugin", "docker", "kubectl")

    def exists(self) -> Command:
        return self._clusters("describe", "--format=value(name)")

    def create(self) -> list[Command]:
        return [
            self._clusters(
                "create-auto", self.spec.name, "--labels=created-by=ticketing", "--quiet"
            )
        ]

    def credentials(self) -> Command:
        return self._clusters("get-credentials")

    def delete(self) -> Command:
        return self._clusters("delete", "--quiet")

    def node_account(self) -> Command:
        """The service account Autopilot's nodes run as (`default` for Compute Engine's)."""
        return self._clusters(
            "describe",
            "--format=value(autoscaling.autoprovisioningNodePoolDefaults.serviceAccount)",
        )

    def project_number(self) -> Command:
        return command(
            "gcloud",
            "projects",
            "describe",
            str(self.spec.project),
            "--format=value(projectNumber)",
        )

    def registry(self, runner: Runner | None) -> str:
        """Artifact Registry: REGION-docker.pkg.dev/PROJECT/ticketing unless --registry says."""
        registry = self.spec.registry or (
            f"{self.spec.location}-docker.pkg.dev/{self.spec.project}/{IMAGE_PREFIX}"
        )
        refuse_container_registry(registry)
        return registry

    def docker_login(self, registry: str) -> Command:
        return command("gcloud", "auth", "configure-docker", registry.split("/", 1)[0], "--quiet")

    def account(self) -> Command:
        return command("gcloud", "config", "get-value", "account")
