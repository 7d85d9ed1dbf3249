"""The ticket drop: buyers signed up before the sale race for a few hot tickets at once.

Every buyer signs up and waits; when the last one is in, all of them try to reserve. Most
go for a hot ticket; a loser tries another ticket, a few times at most. A winner pays with
the test card, or cancels, or keeps the order unpaid until it expires.

`ticketing load drop` runs it and judges the outcome; `locust -f` runs it too.
"""

from __future__ import annotations

import random

from locust import task

from ticketing_harness.load.outcomes import Outcome
from ticketing_harness.load.plan import pick_ticket
from ticketing_harness.load.scenarios.coordination import EveryoneInThenHold
from ticketing_harness.load.scenarios.shopper import NOT_YET_TRIES, NOT_YET_WAIT, Shopper
from ticketing_harness.load.scenarios.state import RUN

__all__ = ["Buyer", "EveryoneInThenHold"]

RETRIES = 3  # after losing, a buyer tries another ticket at most this many times
FATES = ("pay", "cancel", "keep")
FATE_WEIGHTS = (8, 1, 1)  # what winners do with their order
IDLE_SECONDS = 1.0  # a buyer who is done only waits for the end
LOSER_PAUSE = 0.5  # at most, before trying another ticket
CARD_PAUSE = (0.5, 2.0)  # typing in the card


class Buyer(Shopper):
    """One buyer: sign up, wait for the opening, reserve, then pay, cancel or keep."""

    def on_start(self) -> None:
        self.rng = random.Random()
        self.tried: set[str] = set()
        self.losses = 0
        self.target: str | None = None
        self.waits = 0  # tries of the target that found it not orderable yet
        self.order_id: str | None = None
        self.pause = 0.0
        self.done = not self.sign_up()
        self.arrive()
        self.wait_for_the_opening()

    def wait_time(self) -> float:
        if self.done:
            return IDLE_SECONDS
        pause, self.pause = self.pause, 0.0
        return pause

    @task
    def next_step(self) -> None:
        if self.done:
            return
        if self.order_id is None:
            self._try_to_reserve()
        else:
            self._settle(self.order_id)

    def _try_to_reserve(self) -> None:
        if self.target is None:
            ticket = pick_ticket(self.rng, RUN.tickets, self.tried)
            if ticket is None:
                self.done = True
                return
            self.target = ticket.id
        reply = self.reserve(self.target)
        if reply.outcome is Outcome.OK:
            self.order_id = str(reply.body["id"])
            self.pause = self.rng.uniform(*CARD_PAUSE)
        elif reply.outcome in (Outcome.NOT_YET, Outcome.THROTTLED) and self.waits < NOT_YET_TRIES:
            self.waits += 1
            self.pause = reply.retry_after if reply.outcome is Outcome.THROTTLED else NOT_YET_WAIT
        else:
            self.tried.add(self.target)
            self.target = None
            self.waits = 0
            self.losses += 1
            self.done = self.losses > RETRIES
            self.pause = self.rng.uniform(0, LOSER_PAUSE)

    def _settle(self, order_id: str) -> None:
        [fate] = self.rng.choices(FATES, FATE_WEIGHTS)
        if fate == "pay":
            self.pay(order_id)
        elif fate == "cancel":
            self.cancel(order_id)
        self.done = True
