"""Which event goes to which handler, with the durable name and redelivery policy of each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from orders import handlers
from ticketing_common.events import ExpirationComplete, PaymentCreated, TicketCreated, TicketUpdated
from ticketing_common.listeners import DeliveryPolicy, Listener
from ticketing_common.unit_of_work import Database

# A version gap waits for the missing ticket event: retried often at first, for about two minutes.
REPLICA = DeliveryPolicy(max_deliver=60, retry_delays=(0.1, 0.2, 0.5, 1.0, 2.0))
# Order changes only fail while the database is unreachable.
ORDER = DeliveryPolicy(max_deliver=20)


def listeners(db: Database) -> Sequence[Listener[Any]]:
    """The orders service's consumers; each applies its event and records it in one transaction."""
    return [
        Listener.transactional(
            durable="orders-ticket-created",
            event=TicketCreated,
            db=db,
            handle=handlers.record_ticket_created,
            policy=REPLICA,
        ),
        Listener.transactional(
            durable="orders-ticket-updated",
            event=TicketUpdated,
            db=db,
            handle=handlers.record_ticket_updated,
            policy=REPLICA,
        ),
        Listener.transactional(
            durable="orders-expiration-complete",
            event=ExpirationComplete,
            db=db,
            handle=handlers.expire_order,
            policy=ORDER,
        ),
        Listener.transactional(
            durable="orders-payment-created",
            event=PaymentCreated,
            db=db,
            handle=handlers.complete_order,
            policy=ORDER,
        ),
    ]
