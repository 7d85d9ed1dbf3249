"""The ingress controllers, pinned: what to apply for each provider and how to know it is ready.

ingress-nginx is retired upstream (no releases or security fixes since March 2026): we pin its
last release. The Gateway API alternative is NGINX Gateway Fabric, maintained by F5 NGINX.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ticketing_harness.clusters.spec import Ingress, Provider

INGRESS_NGINX_RELEASE = "controller-v1.15.1"
GATEWAY_API_VERSION = "v1.5.1"
NGINX_GATEWAY_FABRIC_VERSION = "v2.6.7"

_INGRESS_NGINX = (
    "https://raw.githubusercontent.com/kubernetes/ingress-nginx/"
    f"{INGRESS_NGINX_RELEASE}/deploy/static/provider/{{manifest}}/deploy.yaml"
)
# ingress-nginx's manifest per provider: kind binds the node's ports 80/443, `cloud` gets a
# load balancer, `aws` a Network Load Balancer.
_INGRESS_NGINX_MANIFEST = {Provider.KIND: "kind", Provider.GKE: "cloud", Provider.EKS: "aws"}
_GATEWAY_API_CRDS = (
    "https://github.com/kubernetes-sigs/gateway-api/releases/download/"
    f"{GATEWAY_API_VERSION}/standard-install.yaml"
)
_FABRIC = (
    f"https://raw.githubusercontent.com/nginx/nginx-gateway-fabric/{NGINX_GATEWAY_FABRIC_VERSION}"
)


@dataclass(frozen=True)
class Controller:
    """A pinned controller: its manifests, in order, and what must be ready before we route."""

    title: str
    manifests: tuple[str, ...]
    namespace: str
    deployment: str
    jobs: tuple[str, ...]
    webhook_service: str | None
    gateway_class: str | None
    # Our settings for this provider, applied server-side over the release's (a file in clusters/).
    settings: Path | None
    # The Service a cloud load balancer fronts: (namespace, name).
    entry_service: tuple[str, str]


def controller_for(ingress: Ingress, provider: Provider) -> Controller:
    if ingress is Ingress.NGINX:
        return Controller(
            title=f"ingress-nginx {INGRESS_NGINX_RELEASE} (retired upstream, pinned)",
            manifests=(_INGRESS_NGINX.format(manifest=_INGRESS_NGINX_MANIFEST[provider]),),
            namespace="ingress-nginx",
            deployment="ingress-nginx-controller",
            jobs=("ingress-nginx-admission-create", "ingress-nginx-admission-patch"),
            webhook_service="ingress-nginx-controller-admission",
            gateway_class=None,
            settings=None,
            entry_service=("ingress-nginx", "ingress-nginx-controller"),
        )
    settings = {
        Provider.KIND: Path("clusters/controllers/nginx-gateway-fabric/kind.yaml"),
        Provider.EKS: Path("clusters/controllers/nginx-gateway-fabric/eks.yaml"),
    }
    return Controller(
        title=(
            f"Gateway API {GATEWAY_API_VERSION} with NGINX Gateway Fabric"
            f" {NGINX_GATEWAY_FABRIC_VERSION}"
        ),
        manifests=(
            _GATEWAY_API_CRDS,
            f"{_FABRIC}/deploy/crds.yaml",
            f"{_FABRIC}/deploy/default/deploy.yaml",
        ),
        namespace="nginx-gateway",
        deployment="nginx-gateway",
        # The certificate job deletes itself 30 s after it ends: the running controller is
        # the proof it did its work.
        jobs=(),
        webhook_service=None,
        gateway_class="nginx",
        settings=settings.get(provider),
        # NGINX Gateway Fabric names the data plane's Service <gateway>-<gateway class>.
        entry_service=("ticketing", "ticketing-nginx"),
    )
