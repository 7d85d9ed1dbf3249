"""The routing, generated from the route table: an Ingress for ingress-nginx, or a Gateway and
an HTTPRoute for the Gateway API. Both send every path where the local nginx gateway does."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ticketing_harness.clusters import naming
from ticketing_harness.clusters.naming import labels
from ticketing_harness.routes import ROUTES, Route

Manifest = dict[str, Any]


def _ingress_paths(routes: Iterable[Route]) -> Manifest:
    return {
        "paths": [
            {
                "path": route.prefix,
                "pathType": "Prefix",
                "backend": {
                    "service": {"name": route.service, "port": {"number": naming.SERVICE_PORT}}
                },
            }
            for route in routes
        ]
    }


def ingress(routes: tuple[Route, ...] = ROUTES) -> Manifest:
    """The ingress-nginx Ingress: ticketing.dev over TLS, and any host for in-cluster calls."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "ticketing", "labels": labels("ticketing", "routing")},
        "spec": {
            "ingressClassName": "nginx",
            "tls": [{"hosts": [naming.HOSTNAME], "secretName": naming.TLS_SECRET}],
            "rules": [
                {"host": naming.HOSTNAME, "http": _ingress_paths(routes)},
                # The web client's server-side calls come through the controller's Service.
                {"http": _ingress_paths(routes)},
            ],
        },
    }


def gateway() -> Manifest:
    """A Gateway with http and https (ticketing.dev, the local CA's certificate) listeners."""
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": naming.GATEWAY, "labels": labels("ticketing", "routing")},
        "spec": {
            "gatewayClassName": naming.GATEWAY_CLASS,
            "listeners": [
                {
                    "name": "http",
                    "protocol": "HTTP",
                    "port": 80,
                    "allowedRoutes": {"namespaces": {"from": "Same"}},
                },
                {
                    "name": "https",
                    "protocol": "HTTPS",
                    "port": 443,
                    "hostname": naming.HOSTNAME,
                    "tls": {
                        "mode": "Terminate",
                        "certificateRefs": [{"kind": "Secret", "name": naming.TLS_SECRET}],
                    },
                    "allowedRoutes": {"namespaces": {"from": "Same"}},
                },
            ],
        },
    }


def http_route(routes: tuple[Route, ...] = ROUTES) -> Manifest:
    """One rule per route; no hostnames, so in-cluster calls match too."""
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "ticketing", "labels": labels("ticketing", "routing")},
        "spec": {
            "parentRefs": [{"name": naming.GATEWAY}],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": route.prefix}}],
                    "backendRefs": [{"name": route.service, "port": naming.SERVICE_PORT}],
                }
                for route in routes
            ],
        },
    }
