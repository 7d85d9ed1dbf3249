"""The route table: which service answers which path.

It feeds the local nginx gateway (`ticketing_harness.local.supervisor.gateway`) and the clusters'
Ingress and HTTPRoute (`ticketing_harness.clusters.generate`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    """Requests whose path is `prefix` or lies under it go to `service`."""

    prefix: str
    service: str

    def matches(self, path: str) -> bool:
        """Match whole path segments, like a Kubernetes `Prefix` path: /api/users, /api/users/x."""
        if self.prefix == "/":
            return True
        return path == self.prefix or path.startswith(self.prefix + "/")


ROUTES: tuple[Route, ...] = (
    Route("/api/users", "auth"),
    Route("/api/tickets", "tickets"),
    Route("/api/orders", "orders"),
    Route("/api/payments", "payments"),
    Route("/", "client"),
)


def service_for(path: str, routes: tuple[Route, ...] = ROUTES) -> str:
    """The service that answers `path`: the longest matching prefix wins."""
    matching = [route for route in routes if route.matches(path)]
    if not matching:
        raise LookupError(f"no route for {path}")
    return max(matching, key=lambda route: len(route.prefix)).service


def routed_services(routes: tuple[Route, ...] = ROUTES) -> tuple[str, ...]:
    """Every service that receives traffic from the gateway, in table order, once each."""
    return tuple(dict.fromkeys(route.service for route in routes))
