"""What "ready" means for each kind of object we wait for, and the waits built from it."""

from __future__ import annotations

from typing import Any

from lightkube.resources.admissionregistration_v1 import ValidatingWebhookConfiguration
from lightkube.resources.apps_v1 import Deployment, StatefulSet
from lightkube.resources.discovery_v1 import EndpointSlice

from ticketing_harness.clusters.kube import Kube, Ready, Target, custom_kind

Manifest = dict[str, Any]


def deployment_available(deployment: Manifest) -> bool:
    """Every replica of the current generation is updated and available."""
    spec, status = deployment.get("spec", {}), deployment.get("status") or {}
    wanted: int = spec.get("replicas", 1)
    generation: int = deployment["metadata"].get("generation", 0)
    return bool(
        status.get("observedGeneration", 0) >= generation
        and status.get("updatedReplicas", 0) >= wanted
        and status.get("availableReplicas", 0) >= wanted
    )


def stateful_set_ready(stateful_set: Manifest) -> bool:
    spec, status = stateful_set.get("spec", {}), stateful_set.get("status") or {}
    wanted = spec.get("replicas", 1)
    return bool(
        status.get("readyReplicas", 0) >= wanted
        and status.get("updatedReplicas", 0) >= wanted
        and status.get("currentRevision") == status.get("updateRevision")
    )


def condition_true(kind: str) -> Ready:
    """Ready when the object's status condition `kind` is True (Accepted, Established...)."""
    return lambda obj: _condition(obj, kind)


def _condition(obj: Manifest, kind: str) -> bool:
    conditions: list[Manifest] = (obj.get("status") or {}).get("conditions") or []
    return any(c.get("type") == kind and c.get("status") == "True" for c in conditions)


def ca_bundle_set(configuration: Manifest) -> bool:
    """Every webhook of the configuration trusts a CA (the admission Jobs patched it in)."""
    webhooks: list[Manifest] = configuration.get("webhooks") or []
    return bool(webhooks) and all((w.get("clientConfig") or {}).get("caBundle") for w in webhooks)


def rollout_target(manifest: Manifest) -> Target | None:
    """What to wait for after applying `manifest`: Deployments and StatefulSets roll out."""
    name = manifest["metadata"]["name"]
    namespace = manifest["metadata"].get("namespace")
    if manifest["kind"] == "Deployment":
        return Target(Deployment, name, namespace, deployment_available, f"Deployment {name}")
    if manifest["kind"] == "StatefulSet":
        return Target(StatefulSet, name, namespace, stateful_set_ready, f"StatefulSet {name}")
    return None


def deployment_target(name: str, namespace: str) -> Target:
    return Target(
        Deployment, name, namespace, deployment_available, f"Deployment {namespace}/{name}"
    )


def webhook_target(name: str) -> Target:
    return Target(
        ValidatingWebhookConfiguration,
        name,
        None,
        ca_bundle_set,
        f"the CA bundle of ValidatingWebhookConfiguration {name}",
    )


def gateway_class_target(name: str) -> Target:
    return Target(
        custom_kind("gateway.networking.k8s.io/v1", "GatewayClass"),
        name,
        None,
        condition_true("Accepted"),
        f"GatewayClass {name}",
    )


def has_ready_endpoint(slices: list[Manifest]) -> bool:
    return any(
        (endpoint.get("conditions") or {}).get("ready") is True
        for endpoint_slice in slices
        for endpoint in endpoint_slice.get("endpoints") or []
    )


def endpoint_slices(kube: Kube, service: str, namespace: str) -> list[Manifest]:
    return kube.objects(
        EndpointSlice, namespace=namespace, labels={"kubernetes.io/service-name": service}
    )
