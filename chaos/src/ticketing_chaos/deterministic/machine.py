"""The Hypothesis state machine of the deterministic mode.

Its rules are the workload (list, edit, order, cancel, pay, let an order expire) and the
network (deliver any pending message to its consumer, maybe losing the ack; duplicate a
message, maybe under a fresh id; cut a service off the broker, so that its outbox keeps
what it commits until it is relayed again). Every committed event is relayed at once unless
its service is cut off. Hypothesis picks the order of all of it. A `settle` step delivers
everything and checks the invariants of a system at rest; those that hold at every moment
(they replay every write the databases made) are checked when the program ends. A failure
shrinks to a short program of these steps, which `explore.replay` runs again.
"""

from __future__ import annotations

import sys
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    multiple,
    precondition,
    rule,
)

from expiration.jobs import expiry_event_id
from orders import handlers as orders
from payments import handlers as payments
from ticketing_chaos.deterministic import judge
from ticketing_chaos.deterministic.bus import SimulatedBus, SimulatedConsumer
from ticketing_chaos.deterministic.stripe import Ledger
from ticketing_chaos.deterministic.world import SERVICES, World
from ticketing_common.envelope import Envelope
from ticketing_common.errors import AppError
from ticketing_common.events import ExpirationComplete, OrderCreated
from ticketing_common.idempotency import Answer
from ticketing_common.listeners import Listener
from ticketing_common.outbox import OutboxRelay
from tickets import handlers as tickets

USERS = 3
MAX_TICKETS = 2  # few tickets, so that orders, cancels and edits meet on the same one
EXPIRATION_CONSUMER = "expiration-order-created"
# Enough passes to deliver everything, however the steps left it (each pass moves on).
SETTLE_PASSES = 60


class Marketplace(RuleBasedStateMachine):
    """The marketplace's services on a simulated bus; Hypothesis chooses what happens when."""

    world: ClassVar[World]
    examples: ClassVar[int] = 0

    tickets = Bundle("tickets")
    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        type(self).examples += 1
        self.world.run(self.world.reset())
        self.world.gateway.ledger = Ledger()
        self.bus = SimulatedBus()
        self.bus.attach([*self.world.listeners(), self._expiration()])
        self.relays = {
            name: OutboxRelay(db.pool, self.bus) for name, db in self.world.databases.items()
        }
        self.cut_off: set[str] = set()
        self.users = [uuid.uuid4() for _ in range(USERS)]
        self.sellers: dict[uuid.UUID, uuid.UUID] = {}
        self.buyers: dict[uuid.UUID, uuid.UUID] = {}
        self.scheduled: set[uuid.UUID] = set()
        self.expired: set[uuid.UUID] = set()

    def _expiration(self) -> Listener[OrderCreated]:
        """The expiration service, simulated: it schedules each order's expiry once."""

        async def schedule(order: OrderCreated, envelope: Envelope) -> None:
            self.scheduled.add(order.id)

        return Listener(EXPIRATION_CONSUMER, OrderCreated, schedule)

    # The workload: what users do through the services' handlers.

    @precondition(lambda self: len(self.sellers) < MAX_TICKETS)
    @rule(target=tickets, cents=st.integers(100, 20_000), seller=st.integers(0, USERS - 1))
    def list_ticket(self, cents: int, seller: int) -> uuid.UUID:
        db = self.world.databases["tickets"]
        price = Decimal(cents) / 100
        ticket = self._request(
            "tickets",
            tickets.create_ticket(db, user_id=self.users[seller], title="Show", price=price),
        )
        self.sellers[ticket.id] = self.users[seller]
        return uuid.UUID(str(ticket.id))

    @rule(ticket=tickets, cents=st.integers(100, 20_000))
    def edit_ticket(self, ticket: uuid.UUID, cents: int) -> None:
        db, seller = self.world.databases["tickets"], self.sellers[ticket]
        price = Decimal(cents) / 100
        self._request(
            "tickets",
            tickets.update_ticket(db, ticket_id=ticket, user_id=seller, title="Show", price=price),
        )

    @rule(target=orders, ticket=tickets, buyer=st.integers(0, USERS - 1))
    def place_order(self, ticket: uuid.UUID, buyer: int) -> Any:
        # The window ends when an `expire` step says so, not by the clock.
        answer = self._request(
            "orders",
            orders.place_order(
                self.world.databases["orders"],
                user_id=self.users[buyer],
                ticket_id=ticket,
                window=timedelta(minutes=15),
                request=None,
                answer=lambda placed: Answer(201, placed.id),
            ),
        )
        if answer is None:
            return multiple()
        self.buyers[answer.body] = self.users[buyer]
        return answer.body

    @rule(order=orders)
    def cancel_order(self, order: uuid.UUID) -> None:
        db, buyer = self.world.databases["orders"], self.buyers[order]
        self._request("orders", orders.cancel_order(db, user_id=buyer, order_id=order))

    @rule(order=orders)
    def pay(self, order: uuid.UUID) -> None:
        db, buyer = self.world.databases["payments"], self.buyers[order]
        self._request(
            "payments",
            payments.pay(
                db,
                self.world.gateway,
                user_id=buyer,
                order_id=order,
                token="pm_card_visa",
                request=None,
            ),
        )

    @rule(order=orders)
    def expire(self, order: uuid.UUID) -> None:
        """The order's window passes, once expiration has heard of it; its job runs once."""
        if order in self.scheduled and order not in self.expired:
            self._expire(order)

    # The network: when each message goes where, how often, and what gets lost.

    @rule(service=st.sampled_from(SERVICES))
    def cut_off_from_broker(self, service: str) -> None:
        """The service's publishes fail: what it commits waits in its outbox."""
        self.cut_off.add(service)

    @rule(service=st.sampled_from(SERVICES))
    def reconnect(self, service: str) -> None:
        """The service reaches the broker again; its relay sends what its outbox kept."""
        self.cut_off.discard(service)
        self._relay(service)

    @precondition(lambda self: any(c.pending for c in self.bus.consumers))
    @rule(consumer=st.integers(0, 20), index=st.integers(0, 20), lose_ack=st.booleans())
    def deliver(self, consumer: int, index: int, lose_ack: bool) -> None:
        """Hand a pending message (any, not just the oldest) to its consumer; `lose_ack`
        keeps it pending, as a crash between commit and ack, or a lost ack, would."""
        ready = [c for c in self.bus.consumers if c.pending]
        chosen = ready[consumer % len(ready)]
        self._deliver(chosen, index % len(chosen.pending), lose_ack=lose_ack)

    @precondition(lambda self: bool(self.bus.stream))
    @rule(back=st.integers(0, 50), fresh_id=st.booleans())
    def duplicate(self, back: int, fresh_id: bool) -> None:
        """A message (counted back from the newest) is on the stream twice: the same event
        again (past the broker's duplicate window), or a copy under a new event id."""
        self.bus.copy(self.bus.stream[-1 - back % len(self.bus.stream)], fresh_id=fresh_id)

    @precondition(lambda self: any(c.settled for c in self.bus.consumers))
    @rule(consumer=st.integers(0, 20), back=st.integers(0, 20), fresh_id=st.booleans())
    def late_copy(self, consumer: int, back: int, fresh_id: bool) -> None:
        """A copy of a message a consumer settled long ago reaches it again."""
        done = [c for c in self.bus.consumers if c.settled]
        chosen = done[consumer % len(done)]
        chosen.copy_late(chosen.settled[-1 - back % len(chosen.settled)], fresh_id=fresh_id)

    @rule()
    def settle(self) -> None:
        """Everything comes to rest: every outbox relayed, every message delivered (orders
        expire only by `expire` steps); then the invariants of a system at rest must hold."""
        self.cut_off.clear()
        for _ in range(SETTLE_PASSES):
            if not self._settle_pass():
                break
        self.world.run(judge.at_rest(self.world, self.bus, self.expired))

    def teardown(self) -> None:
        """The program ended: the invariants that hold at every moment, unless a step failed."""
        # Hypothesis tears down in a `finally`: while a step's failure propagates, keep it.
        if sys.exc_info()[0] is None:
            self.world.run(judge.at_any_moment(self.world))

    def _settle_pass(self) -> bool:
        """Relay every outbox and offer every pending message once; True if anything moved."""
        before = (len(self.bus.stream), self._pending())
        for service in SERVICES:
            self._relay(service)
        for consumer in self.bus.consumers:
            for delivery in list(consumer.pending):
                self._deliver(consumer, consumer.pending.index(delivery))
        return (len(self.bus.stream), self._pending()) != before

    def _pending(self) -> int:
        return sum(len(consumer.pending) for consumer in self.bus.consumers)

    def _deliver(self, consumer: SimulatedConsumer, index: int, *, lose_ack: bool = False) -> None:
        self.world.run(consumer.deliver(index, lose_ack=lose_ack))
        service = consumer.name.split("-", 1)[0]
        if service in self.relays:
            self._relay(service)  # what the handler committed leaves at once

    def _relay(self, service: str) -> None:
        if service not in self.cut_off and self.world.run(self.world.unsent(service)):
            self.world.run(self.relays[service].drain())

    def _expire(self, order: uuid.UUID) -> None:
        self.expired.add(order)
        envelope = Envelope.wrap(
            ExpirationComplete(order_id=order), event_id=expiry_event_id(order)
        )
        self.bus.append(self.bus.catalog.subject_for(envelope.type), envelope.to_bytes())

    def _request(self, service: str, work: Any) -> Any:
        """A user's request to `service`; a refusal (400, 403, 404...) is an allowed answer.
        What it committed is relayed at once, unless the service is cut off."""
        try:
            return self.world.run(work)
        except AppError:
            return None
        finally:
            self._relay(service)
