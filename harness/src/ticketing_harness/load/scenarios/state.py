"""One Locust process's part of a run, and the names of the messages its processes exchange."""

from __future__ import annotations

from gevent.event import Event
from gevent.lock import BoundedSemaphore

from ticketing_harness.load.outcomes import Tally
from ticketing_harness.load.plan import PlannedTicket
from ticketing_harness.load.record import RunRecord
from ticketing_harness.load.settings import SIGN_UPS_AT_ONCE

ARRIVED, PLAN, OPEN, TALLY = (
    "ticketing:arrived",
    "ticketing:plan",
    "ticketing:open",
    "ticketing:tally",
)


class RunState:
    """This process's part of the run."""

    def __init__(self) -> None:
        self.tickets: list[PlannedTicket] = []
        self.opened = Event()  # every user is in: the sale is open
        self.tally = Tally()
        self.record: RunRecord | None = None  # on the master (or the only process)
        self.arrived = 0
        self.everyone_in = Event()
        self.sign_ups = BoundedSemaphore(SIGN_UPS_AT_ONCE)


RUN = RunState()
