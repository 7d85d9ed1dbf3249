"""Which event goes to which handler, with the durable name and redelivery policy of each."""

from __future__ import annotations

from typing import Any

from orders import handlers
from ticketing_common.events import (
    ExpirationComplete,
    PaymentCreated,
    PaymentRefunded,
    TicketCreated,
    TicketUpdated,
)
from ticketing_common.listeners import DeliveryPolicy, Listener, transactional_listeners
from ticketing_common.unit_of_work import Database

# A version gap waits for the missing ticket event: retried often at first, for about two minutes.
REPLICA = DeliveryPolicy(max_deliver=60, retry_delays=(0.1, 0.2, 0.5, 1.0, 2.0))
# Order changes only fail while the database is unreachable.
ORDER = DeliveryPolicy(max_deliver=20)


def listeners(db: Database) -> list[Listener[Any]]:
    """The orders service's consumers; each applies its event and records it in one transaction."""
    return transactional_listeners(
        db,
        [
            ("orders-ticket-created", TicketCreated, handlers.record_ticket_created, REPLICA),
            ("orders-ticket-updated", TicketUpdated, handlers.record_ticket_updated, REPLICA),
            ("orders-expiration-complete", ExpirationComplete, handlers.expire_order, ORDER),
            ("orders-payment-created", PaymentCreated, handlers.complete_order, ORDER),
            ("orders-payment-refunded", PaymentRefunded, handlers.record_refund, ORDER),
        ],
    )
