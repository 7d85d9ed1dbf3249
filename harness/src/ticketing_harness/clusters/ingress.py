"""Step 3: install the pinned ingress controller and wait until it really accepts our routing.

"Ready" means: the controller Deployment is available; for ingress-nginx, its admission
webhook has a CA bundle (its self-deleting Jobs ran) and its Service a ready endpoint; for the
Gateway API, the GatewayClass is accepted; and a server-side dry-run of our own Ingress (or
Gateway and HTTPRoute) is accepted. The last check is what avoids the well-known race
"failed calling webhook validate.nginx.ingress.kubernetes.io" right after an install.
"""

from __future__ import annotations

import time
from typing import Any

import yaml
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition
from lightkube.resources.apps_v1 import Deployment

from ticketing_harness.clusters import readiness
from ticketing_harness.clusters.commands import failure_message
from ticketing_harness.clusters.controllers import Controller, controller_for
from ticketing_harness.clusters.manifests import render, render_command, routing
from ticketing_harness.clusters.naming import NAMESPACE, SETTINGS_FIELD_MANAGER
from ticketing_harness.clusters.providers import Gke
from ticketing_harness.clusters.session import Session
from ticketing_harness.clusters.steps import until

Manifest = dict[str, Any]
NAMESPACE_FILE = "clusters/base/namespace.yaml"
# GKE 1.34.0-gke.1626000 and later install the Gateway API's CRDs and keep them up to date
# (GoogleCloudPlatform/gke-gateway-api); applying another release over them would fight it.
GATEWAY_CRD = "gateways.gateway.networking.k8s.io"
GKE_COMPONENT = ("components.gke.io/component-name", "gateway-api-crds")
BUNDLE_VERSION = "gateway.networking.k8s.io/bundle-version"


def controller(session: Session) -> Controller:
    return controller_for(session.spec.ingress, session.spec.provider)


def plan(session: Session) -> list[str]:
    ctl = controller(session)
    context = session.planned_context()
    lines = [
        "skipped when an earlier run installed it and it still accepts our routing",
        f"API: server-side apply Namespace {NAMESPACE}",
    ]
    if isinstance(session.cloud, Gke) and ctl.webhook_service:
        lines.append(f"{session.cloud.account()}  # for ingress-nginx's cluster-admin binding")
        lines.append("API: server-side apply ClusterRoleBinding cluster-admin-binding")
    if ctl.crds and isinstance(session.cloud, Gke):
        lines.append(
            f"API: read CustomResourceDefinition {GATEWAY_CRD}: GKE 1.34+ installs and manages"
            f" the Gateway API CRDs ({'='.join(GKE_COMPONENT)}); use them where it does, else:"
        )
    lines += [str(session.apply_url(url, context=context)) for url in _releases(ctl)]
    if ctl.settings:
        lines.append(
            f"API: server-side apply {ctl.settings} (field manager {SETTINGS_FIELD_MANAGER})"
        )
    if ctl.admission_webhook:
        lines.append(
            f"API: watch ValidatingWebhookConfiguration {ctl.admission_webhook} until it has"
            " a CA bundle (its admission Jobs ran; they delete themselves when done)"
        )
    lines.append(f"API: watch Deployment {ctl.namespace}/{ctl.deployment} until available")
    if ctl.webhook_service:
        lines.append(
            f"API: until Service {ctl.namespace}/{ctl.webhook_service} has a ready endpoint"
        )
    if ctl.gateway_class:
        lines.append(f"API: watch GatewayClass {ctl.gateway_class} until Accepted")
    lines.append(str(render_command(session.files.manifests)))
    lines.append("API: server-side dry-run of our routing, retried until the controller accepts it")
    return lines


def run(session: Session) -> str:
    ctl = controller(session)
    if _still_ready(session, ctl):
        return f"{ctl.title}: installed by an earlier run and ready; skipped"
    deadline = time.monotonic() + session.timeout
    kube = session.kube
    kube.apply([namespace(session)])
    if isinstance(session.cloud, Gke) and ctl.webhook_service:
        kube.apply([_cluster_admin(session.runner.run(session.cloud.account()).stdout.strip())])
    managed = managed_gateway_crds(session) if ctl.crds else None
    urls = [url for url in _releases(ctl) if not (managed and url == ctl.crds)]
    for url in urls:
        # CRDs from the previous manifest may take a moment to be served.
        until(
            lambda url=url: _apply_url(session, url),  # type: ignore[misc]
            timeout=_left(deadline),
            interval=session.poll_interval,
            what=f"applying {url} failed",
        )
    if ctl.settings:
        settings = yaml.safe_load((session.repo / ctl.settings).read_text())
        until(
            lambda: kube.try_apply([settings], field_manager=SETTINGS_FIELD_MANAGER),
            timeout=_left(deadline),
            interval=session.poll_interval,
            what=f"applying {ctl.settings} failed",
        )
    waits = [readiness.deployment_target(ctl.deployment, ctl.namespace)]
    if ctl.admission_webhook:
        waits.append(readiness.webhook_target(ctl.admission_webhook))
    kube.wait_all(waits, _left(deadline))
    if ctl.webhook_service:
        service = ctl.webhook_service
        until(
            lambda: (
                None
                if readiness.has_ready_endpoint(
                    readiness.endpoint_slices(kube, service, ctl.namespace)
                )
                else f"Service {service} has no ready endpoint"
            ),
            timeout=_left(deadline),
            interval=session.poll_interval,
            what="the admission webhook is not serving",
        )
    if ctl.gateway_class:
        kube.wait(readiness.gateway_class_target(ctl.gateway_class), _left(deadline))
    session.write_manifests()
    ours = routing(render(session.files.manifests, session.runner), session.spec.ingress)
    attempts = until(
        lambda: kube.try_apply(ours, dry_run=True),
        timeout=_left(deadline),
        interval=session.poll_interval,
        what="the ingress controller does not accept our routing yet",
    )
    session.remember(done="ingress")
    crds = f"; GKE's Gateway API CRDs ({managed}) used as they are" if managed else ""
    return (
        f"{ctl.title} ready{crds}; routing accepted by a server-side dry-run (attempt {attempts})"
    )


def managed_gateway_crds(session: Session) -> str | None:
    """The bundle version of Gateway API CRDs GKE manages in this cluster, if it does."""
    if not isinstance(session.cloud, Gke):
        return None
    crd = session.kube.get(CustomResourceDefinition, GATEWAY_CRD)
    annotations = ((crd or {}).get("metadata") or {}).get("annotations") or {}
    if annotations.get(GKE_COMPONENT[0]) != GKE_COMPONENT[1]:
        return None
    return str(annotations.get(BUNDLE_VERSION, "unknown version"))


def _releases(ctl: Controller) -> list[str]:
    return [*([ctl.crds] if ctl.crds else []), *ctl.manifests]


def _still_ready(session: Session, ctl: Controller) -> bool:
    """A step done before is skipped while its controller runs and accepts our routing."""
    record = session.record
    if record is None or "ingress" not in record.done:
        return False
    deployment = session.kube.get(Deployment, ctl.deployment, ctl.namespace)
    if deployment is None or not readiness.deployment_available(deployment):
        return False
    session.write_manifests()
    ours = routing(render(session.files.manifests, session.runner), session.spec.ingress)
    return session.kube.try_apply(ours, dry_run=True) is None


def _apply_url(session: Session, url: str) -> str | None:
    cmd = session.apply_url(url)
    result = session.runner.result(cmd)
    return None if result.ok else failure_message(cmd, result)


def _left(deadline: float) -> float:
    return max(deadline - time.monotonic(), 1.0)


def namespace(session: Session) -> Manifest:
    """The base's Namespace: created first, so Secrets and dry-runs have somewhere to go."""
    manifest: Manifest = yaml.safe_load((session.repo / NAMESPACE_FILE).read_text())
    return manifest


def _cluster_admin(account: str) -> Manifest:
    """GKE: ingress-nginx's install guide grants the installing account cluster-admin."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "cluster-admin-binding"},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": "cluster-admin",
        },
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": account}],
    }
