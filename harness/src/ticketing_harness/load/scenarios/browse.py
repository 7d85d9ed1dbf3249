"""Browsing: the listing and ticket pages at a steady rate, as everyone else sees the site.

Run it beside a drop to see what the drop does to their latency.
"""

from __future__ import annotations

import random

from locust import constant_throughput, task

from ticketing_harness.load.outcomes import Expected, Outcome
from ticketing_harness.load.plan import HOT_SHARE
from ticketing_harness.load.scenarios.coordination import EveryoneInThenHold
from ticketing_harness.load.scenarios.shopper import Shopper
from ticketing_harness.load.scenarios.state import RUN

__all__ = ["Browser", "EveryoneInThenHold"]

PAGE: Expected = {(200, None): Outcome.OK}
VIEWS_PER_SECOND = 1.0  # each browser's steady rate


class Browser(Shopper):
    """Someone looking around, signed out: one page a second, most of them hot tickets."""

    wait_time = constant_throughput(VIEWS_PER_SECOND)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.arrive()

    @task(2)
    def listing_page(self) -> None:
        self.send("listing page", "GET", "/", PAGE)

    @task(1)
    def listing_api(self) -> None:
        self.send("listing API", "GET", "/api/tickets", PAGE)

    @task(4)
    def ticket_page(self) -> None:
        hot = [ticket for ticket in RUN.tickets if ticket.hot]
        pool = hot if hot and self.rng.random() < HOT_SHARE else RUN.tickets
        if pool:
            self.send("ticket page", "GET", f"/tickets/{self.rng.choice(pool).id}", PAGE)
