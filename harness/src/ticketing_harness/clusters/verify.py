"""`ticketing cluster verify`: after `create`, does the whole system work on the cluster?

Every workload ready; every route of the table answered through the ingress by its service;
a purchase end to end (sign up, sell, order, pay, the order `complete`), made with the same
public calls as `ticketing seed`; and the event flow caught up: every durable consumer of the
streams has acknowledged all it was sent, read from NATS's /jsz through the API server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from ticketing_harness.clusters.naming import NAMESPACE
from ticketing_harness.clusters.session import Session
from ticketing_harness.clusters.status import workloads
from ticketing_harness.clusters.steps import until
from ticketing_harness.errors import HarnessError
from ticketing_harness.routes import ROUTES, Route
from ticketing_harness.seed import ca_for, seed
from ticketing_harness.setup.checks import Check, checked

JSZ = "jsz?accounts=true&streams=true&consumers=true"
# The NATS Service's port for monitoring (clusters/base/nats.yaml).
MONITOR_PORT_NAME = "monitor"


def verification(session: Session, url: str) -> list[Check]:
    """Each check's outcome, in order; a failing one does not stop the others."""
    verify = ca_for(url, session.certs_dir)
    probes: list[tuple[str, Callable[[], str]]] = [("workloads", lambda: _workloads(session))]
    probes += [
        (f"route {route.prefix}", lambda route=route: _route(url, verify, route))  # type: ignore[misc]
        for route in ROUTES
    ]
    probes.append(("purchase", lambda: _purchase(url, verify)))
    probes.append(("events", lambda: _events(session)))
    return [checked(name, True, probe) for name, probe in probes]


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


def _purchase(url: str, verify: bool | str) -> str:
    made = asyncio.run(seed(url, users=2, tickets=6, verify=verify))
    paid = made.orders["complete"]
    if paid < 1:
        raise HarnessError("no order reached `complete`")
    return f"signed up, listed {made.tickets} tickets, ordered and paid: {paid} order complete"


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
