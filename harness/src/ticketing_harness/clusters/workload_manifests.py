"""The services' Deployments and Services, and the cloud overlays' availability objects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from ticketing_harness.clusters import naming
from ticketing_harness.clusters.naming import labels, selector
from ticketing_harness.components import SERVICES, Server, Service

Manifest = dict[str, Any]

# Services that scale with load in the cloud overlays.
AUTOSCALED = ("orders", "tickets")
CLOUD_REPLICAS = 2
# auth hashes passwords with argon2id (64 MiB each, several at once).
_MEMORY = {"auth": ("256Mi", "512Mi")}
_DEFAULT_MEMORY = ("128Mi", "256Mi")


def _secret_env(name: str, secret: str, key: str) -> Manifest:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def service_env(service: Service) -> list[Manifest]:
    """The variables a service reads from Secrets, as `ticketing up` gives them locally."""
    env: list[Manifest] = []
    if service.name == "client":
        env.append(_secret_env("CSRF_KEY", naming.CSRF_SECRET, "CSRF_KEY"))
    else:
        env.append(_secret_env("JWT_KEY", naming.JWT_SECRET, "JWT_KEY"))
    if service.database is not None:
        env.append(
            _secret_env("DATABASE_URL", naming.POSTGRES_SECRET, naming.database_url_key(service))
        )
    for server, variable in ((Server.NATS, "NATS_URL"), (Server.REDIS, "REDIS_URL")):
        if server in service.needs:
            secret, key = naming.URL_KEYS[server]
            env.append(_secret_env(variable, secret, key))
    if Server.STRIPE in service.needs:
        env.append(_secret_env("STRIPE_SECRET_KEY", naming.STRIPE_SECRET, "STRIPE_SECRET_KEY"))
    return env


def _probe(path: str, **timing: int) -> Manifest:
    return {"httpGet": {"path": path, "port": "http"}, **timing}


def deployment(service: Service) -> Manifest:
    requests_memory, limits_memory = _MEMORY.get(service.name, _DEFAULT_MEMORY)
    container = {
        "name": service.name,
        "image": naming.image_name(service.name),
        "ports": [{"name": "http", "containerPort": naming.SERVICE_PORT}],
        "envFrom": [{"configMapRef": {"name": naming.CONFIG_MAP}}],
        "env": service_env(service),
        "startupProbe": _probe("/healthz", periodSeconds=2, failureThreshold=60),
        "readinessProbe": _probe("/readyz", periodSeconds=5, timeoutSeconds=3),
        "livenessProbe": _probe("/healthz", periodSeconds=10, timeoutSeconds=3),
        "resources": {
            "requests": {"cpu": "50m", "memory": requests_memory},
            "limits": {"cpu": "1", "memory": limits_memory},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
        },
    }
    if not container["env"]:
        del container["env"]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": service.name, "labels": labels(service.name, "service")},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": selector(service.name)},
            "template": {
                "metadata": {"labels": labels(service.name, "service")},
                "spec": {
                    "automountServiceAccountToken": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 10001,
                        "runAsGroup": 10001,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [container],
                },
            },
        },
    }


def service_object(service: Service) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": service.name, "labels": labels(service.name, "service")},
        "spec": {
            "selector": selector(service.name),
            "ports": [{"name": "http", "port": naming.SERVICE_PORT, "targetPort": "http"}],
        },
    }


def services_manifests(services: Iterable[Service] = SERVICES) -> list[Manifest]:
    """A Deployment and a Service per application service."""
    return [doc for service in services for doc in (deployment(service), service_object(service))]


def availability_manifests() -> list[Manifest]:
    """For the cloud overlays: a PodDisruptionBudget per service, autoscalers for the busy ones."""
    budgets = [
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": service.name, "labels": labels(service.name, "service")},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": selector(service.name)}},
        }
        for service in SERVICES
    ]
    autoscalers = [
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, "labels": labels(name, "service")},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                "minReplicas": CLOUD_REPLICAS,
                "maxReplicas": 6,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": 70},
                        },
                    }
                ],
            },
        }
        for name in AUTOSCALED
    ]
    return budgets + autoscalers


def availability_component() -> Manifest:
    """The high-availability Component: two replicas, except where an autoscaler decides.

    An autoscaled Deployment must not set `replicas`: every server-side apply would take the
    field back from the autoscaler and reset the count it chose.
    """
    replicas = {"op": "replace", "path": "/spec/replicas", "value": CLOUD_REPLICAS}
    services = {"kind": "Deployment", "labelSelector": "app.kubernetes.io/component=service"}
    patches = [{"target": services, "patch": _json_patch(replicas)}]
    patches += [
        {
            "target": {"kind": "Deployment", "name": name},
            "patch": _json_patch({"op": "remove", "path": "/spec/replicas"}),
        }
        for name in AUTOSCALED
    ]
    return {
        "apiVersion": "kustomize.config.k8s.io/v1alpha1",
        "kind": "Component",
        "resources": ["availability.yaml"],
        "patches": patches,
    }


def _json_patch(operation: Manifest) -> str:
    return yaml.safe_dump([operation], sort_keys=False)
