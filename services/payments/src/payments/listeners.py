"""Which event goes to which handler, with durable names and redelivery declared here."""

from __future__ import annotations

from typing import Any

from payments import handlers
from payments.stripe_gateway import MAX_CALL_SECONDS, StripeGateway
from ticketing_common.envelope import Envelope
from ticketing_common.events import OrderCancelled, OrderCompleted, OrderCreated
from ticketing_common.listeners import DeliveryPolicy, Listener, transactional_listeners
from ticketing_common.unit_of_work import Database

# An order event can wait for the order.created it follows.
REPLICA = DeliveryPolicy(max_deliver=20)
# A cancellation may replay an interrupted charge and then refund (two Stripe calls), and
# may wait for a Stripe call in flight, up to a claim lease, before it refunds.
CANCELLATION = DeliveryPolicy(
    ack_wait=2 * MAX_CALL_SECONDS + 10.0,
    max_deliver=int(handlers.CLAIM_LEASE_SECONDS / 5.0) + 10,
    retry_delays=(0.2, 0.5, 1.0, 2.0, 5.0),
)


def listeners(db: Database, gateway: StripeGateway) -> list[Listener[Any]]:
    """The payments service's consumers."""

    async def cancelled(event: OrderCancelled, envelope: Envelope) -> None:
        await handlers.on_order_cancelled(db, gateway, event)

    replica = transactional_listeners(
        db,
        [
            ("payments-order-created", OrderCreated, handlers.on_order_created, REPLICA),
            (
                "payments-order-completed",
                OrderCompleted,
                handlers.on_order_completed,
                REPLICA,
            ),
        ],
    )
    # Not transactional: a refund calls Stripe, which no database transaction can hold.
    return [
        *replica,
        Listener("payments-order-cancelled", OrderCancelled, cancelled, CANCELLATION),
    ]
