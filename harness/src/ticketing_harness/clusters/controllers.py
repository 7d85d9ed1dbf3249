"""The ingress controllers, pinned: what to apply for each provider and how to know it is ready.

The default is the Gateway API, served by NGINX Gateway Fabric (maintained by F5 NGINX).
ingress-nginx, the original course's controller, is retired upstream (no releases or security
fixes since March 2026): we pin its last release.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ticketing_harness.clusters.naming import GATEWAY, GATEWAY_CLASS, NAMESPACE
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
GATEWAY_API_CRDS = (
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
    # The Gateway API's CRDs, applied first unless the cluster manages its own (GKE).
    crds: str | None
    manifests: tuple[str, ...]
    namespace: str
    deployment: str
    # ingress-nginx's ValidatingWebhookConfiguration: its admission Jobs create a certificate
    # and patch its CA in, then delete themselves (ttlSecondsAfterFinished: 0), so the CA
    # bundle, not the Jobs, is the proof that they ran.
    admission_webhook: str | None
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
            crds=None,
            manifests=(_INGRESS_NGINX.format(manifest=_INGRESS_NGINX_MANIFEST[provider]),),
            namespace="ingress-nginx",
            deployment="ingress-nginx-controller",
            admission_webhook="ingress-nginx-admission",
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
        crds=GATEWAY_API_CRDS,
        manifests=(f"{_FABRIC}/deploy/crds.yaml", f"{_FABRIC}/deploy/default/deploy.yaml"),
        namespace="nginx-gateway",
        deployment="nginx-gateway",
        admission_webhook=None,
        webhook_service=None,
        gateway_class=GATEWAY_CLASS,
        settings=settings.get(provider),
        # NGINX Gateway Fabric names the data plane's Service <gateway>-<gateway class>.
        entry_service=(NAMESPACE, f"{GATEWAY}-{GATEWAY_CLASS}"),
    )
