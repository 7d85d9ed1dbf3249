"""What a dev cluster is: provider, name, ingress, cloud location and registry; checked early."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from ticketing_harness.errors import HarnessError

_NAME = re.compile(r"^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$")
# Container Registry (gcr.io) stopped accepting images on 2025-03-18.
_CONTAINER_REGISTRY = re.compile(r"^([a-z0-9-]+\.)?gcr\.io(/|$)")


class Provider(StrEnum):
    KIND = "kind"
    GKE = "gke"
    EKS = "eks"

    @property
    def cloud(self) -> bool:
        return self is not Provider.KIND


class Ingress(StrEnum):
    """Which controller routes ticketing.dev: the Gateway API (the default), or ingress-nginx
    (retired upstream; the original course's path)."""

    GATEWAY = "gateway"
    NGINX = "nginx"


DEFAULT_REGIONS = {Provider.GKE: "us-central1", Provider.EKS: "us-east-1"}


@dataclass(frozen=True)
class ClusterSpec:
    """One dev cluster as asked for on the command line."""

    provider: Provider
    name: str = "ticketing"
    ingress: Ingress = Ingress.GATEWAY
    region: str | None = None
    project: str | None = None
    registry: str | None = None
    # kind: push to a local registry (True), or copy images into the node with `kind load`.
    local_registry: bool = True

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise HarnessError(
                f"cluster name {self.name!r} is not valid: use lowercase letters, digits and"
                " dashes, starting with a letter (at most 40 characters)"
            )
        if self.provider is Provider.GKE and not self.project:
            raise HarnessError(
                "GKE needs a Google Cloud project: pass --project or set GOOGLE_CLOUD_PROJECT"
            )
        if self.registry is not None:
            refuse_container_registry(self.registry)

    @property
    def location(self) -> str:
        """The cloud region, or "local" for kind."""
        if not self.provider.cloud:
            return "local"
        return self.region or DEFAULT_REGIONS[self.provider]


def refuse_container_registry(registry: str) -> None:
    """Container Registry is shut down: point at Artifact Registry instead."""
    if _CONTAINER_REGISTRY.match(registry):
        raise HarnessError(
            f"{registry} is a Container Registry (gcr.io) name, and Container Registry was shut"
            " down on 2025-03-18: use Artifact Registry, e.g."
            " --registry us-central1-docker.pkg.dev/PROJECT/ticketing"
        )
