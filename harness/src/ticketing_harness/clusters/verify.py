"""What `ticketing cluster verify` checks in the cluster itself: every workload ready; every
route of the table answered through the ingress by its service; and the event flow caught
up: every durable consumer of the streams has acknowledged all it was sent, read from NATS's
/jsz through the API server. (The purchase between the two is `ticketing seed`'s, which the
command adds: the tools do not import one another.)

Each probe answers one line when its check holds and raises a HarnessError saying why not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from ticketing_harness.clusters.naming import NAMESPACE
from ticketing_harness.clusters.session import Session
from ticketing_harness.clusters.status import workloads
from ticketing_harness.clusters.steps import until
from ticketing_harness.errors import HarnessError
from ticketing_harness.routes import ROUTES, Route

JSZ = "jsz?accounts=true&streams=true&consumers=true"
# The NATS Service's port for monitoring (clusters/base/nats.yaml).
MONITOR_PORT_NAME = "monitor"


Probe = tuple[str, Callable[[], str]]


def route_probes(session: Session, url: str, verify: bool | str) -> list[Probe]:
    """The workloads, then each route of the table through the ingress at `url`."""
    probes: list[Probe] = [("workloads", lambda: _workloads(session))]
    return probes + [
        (f"route {route.prefix}", lambda route=route: _route(url, verify, route))
        for route in ROUTES
    ]


def events_probe(session: Session) -> Probe:
    return ("events", lambda: _events(session))


def _workloads(session: Session) -> str:
    found = workloads(session)
    waiting = [f"{w.name} {w.ready}/{w.wanted}" for w in found if not w.is_ready]
    if not found or waiting:
        raise HarnessError(
            "not ready: " + (", ".join(waiting) or "no workloads in namespace " + NAMESPACE)
        )
    return f"{len(found)} of {len(found)} ready"


def _route(url: str, verify: bool | str, route: Route) -> str:
    """The service answered (JSON from an API, a page from the client), not the ingress."""
    try:
        response = httpx.get(url.rstrip("/") + route.prefix, verify=verify, timeout=15)
    except httpx.HTTPError as error:
        raise HarnessError(f"{url} did not answer: {error}") from None
    kind = response.headers.get("content-type", "").split(";")[0]
    api = route.prefix.startswith("/api/")
    answered = kind == "application/json" if api else response.status_code == 200
    if response.status_code >= 500 or not answered:
        raise HarnessError(
            f"{route.service} did not answer: {response.status_code} {kind or 'no content type'}"
        )
    return f"{route.service} answered {response.status_code} ({kind})"


def _events(session: Session) -> str:
    """Wait until every durable consumer has nothing pending nor unacknowledged."""
    seen: list[dict[str, Any]] = []

    def caught_up() -> str | None:
        seen[:] = _consumers(session)
        behind = [
            f"{c['name']} ({pending} pending, {unacked} unacknowledged)"
            for c in seen
            if (pending := c.get("num_pending", 0)) + (unacked := c.get("num_ack_pending", 0))
        ]
        if not seen:
            return "no consumers yet"
        return ", ".join(behind) or None

    until(caught_up, timeout=session.timeout, interval=session.poll_interval, what="behind")
    return f"{len(seen)} consumers caught up"


def _consumers(session: Session) -> list[dict[str, Any]]:
    state = session.kube.service_proxy(NAMESPACE, "nats", MONITOR_PORT_NAME, JSZ)
    return [
        consumer
        for account in state.get("account_details") or []
        for stream in account.get("stream_detail") or []
        for consumer in stream.get("consumer_detail") or []
    ]
