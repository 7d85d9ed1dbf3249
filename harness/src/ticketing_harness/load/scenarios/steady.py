"""A steady day: sign-ins, browsing, listings, edits, orders and payments, mixed.

Every user signs up, then does one thing every one to three seconds.
"""

from __future__ import annotations

import random

from locust import between, task

from ticketing_harness.load.outcomes import Expected, Outcome
from ticketing_harness.load.scenarios.coordination import EveryoneInThenHold
from ticketing_harness.load.scenarios.shopper import CREATED, Shopper
from ticketing_harness.load.scenarios.state import RUN

__all__ = ["EveryoneInThenHold", "Regular"]

OK: Expected = {(200, None): Outcome.OK}
EDIT: Expected = {(200, None): Outcome.OK, (400, "Cannot edit a reserved ticket"): Outcome.REFUSED}
PAY_SHARE = 0.8  # of orders are paid; the others are cancelled


class Regular(Shopper):
    """A signed-up user going about their day on the marketplace."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.mine: list[str] = []  # tickets this user listed
        self.signed_in = self.sign_up()
        self.arrive()

    @task(5)
    def browse(self) -> None:
        self.send("listing API", "GET", "/api/tickets", OK)

    @task(3)
    def look_at_a_ticket(self) -> None:
        if RUN.tickets:
            self.send("ticket page", "GET", f"/tickets/{self.rng.choice(RUN.tickets).id}", OK)

    @task(1)
    def sell(self) -> None:
        if not self.signed_in:
            return
        body = {"title": f"steady {self.rng.randrange(10**6)}", "price": self.rng.randrange(5, 200)}
        reply = self.send("list a ticket", "POST", "/api/tickets", CREATED, body)
        if reply.outcome is Outcome.OK:
            self.mine.append(str(reply.body["id"]))
            RUN.tally.listed.append(self.mine[-1])

    @task(1)
    def edit(self) -> None:
        if self.signed_in and self.mine:
            body = {
                "title": f"steady {self.rng.randrange(10**6)}",
                "price": self.rng.randrange(5, 200),
            }
            self.send(
                "edit a ticket", "PUT", f"/api/tickets/{self.rng.choice(self.mine)}", EDIT, body
            )

    @task(2)
    def buy(self) -> None:
        choices = [ticket.id for ticket in RUN.tickets] + self.mine
        if not self.signed_in or not choices:
            return
        reply = self.reserve(self.rng.choice(choices))
        if reply.outcome is not Outcome.OK:
            return
        order_id = str(reply.body["id"])
        if self.rng.random() < PAY_SHARE:
            self.pay(order_id)
        else:
            self.cancel(order_id)

    @task(1)
    def my_orders(self) -> None:
        if self.signed_in:
            self.send("my orders", "GET", "/api/orders", OK)

    @task(1)
    def sign_in_again(self) -> None:
        if self.credentials is None:
            return
        self.send("sign out", "POST", "/api/users/signout", OK)
        reply = self.send("sign in", "POST", "/api/users/signin", OK, self.credentials)
        self.signed_in = reply.outcome is Outcome.OK
