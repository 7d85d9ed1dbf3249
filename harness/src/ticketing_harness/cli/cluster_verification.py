"""`ticketing cluster verify`'s checks, in order: the cluster's own (`clusters.verify`) around
a purchase end to end made with `ticketing seed`'s public calls (sign up, sell, order, pay,
the order `complete`)."""

from __future__ import annotations

import asyncio

from ticketing_harness.clusters.session import Session
from ticketing_harness.clusters.verify import events_probe, route_probes
from ticketing_harness.doctor.findings import Check, checked
from ticketing_harness.errors import HarnessError
from ticketing_harness.seed import ca_for, seed


def verification(session: Session, url: str) -> list[Check]:
    """Each check's outcome; a failing one does not stop the others."""
    verify = ca_for(url, session.certs_dir)
    probes = [
        *route_probes(session, url, verify),
        ("purchase", lambda: _purchase(url, verify)),
        events_probe(session),
    ]
    return [checked(name, True, probe) for name, probe in probes]


def _purchase(url: str, verify: bool | str) -> str:
    made = asyncio.run(seed(url, users=2, tickets=6, verify=verify))
    paid = made.orders["complete"]
    if paid < 1:
        raise HarnessError("no order reached `complete`")
    return f"signed up, listed {made.tickets} tickets, ordered and paid: {paid} order complete"
