"""Canaries: safeguards a chaos run may switch off to prove that its checks notice.

Each service tests its safeguard with `disabled(Canary.X)` at the one place it applies.
Nothing but an active fault plan (`ticketing_common.faults`) switches one off, and the
fault layer refuses to start in production, so outside a chaos run every check holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Canary(StrEnum):
    """A safeguard that a chaos run can disable."""

    NEXT_VERSION_RULE = "next-version-rule"
    STALE_CANCEL_GUARD = "stale-cancel-guard"
    PROCESSED_EVENT_RECORD = "processed-event-record"
    LIVE_ORDER_INDEX = "live-order-index"
    EXPIRY_REFUND = "expiry-refund"

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Canary.NEXT_VERSION_RULE: "replicas apply exactly the next version; disabled, any newer "
    "version applies and skips the ones between (ticketing_common.versioning)",
    Canary.STALE_CANCEL_GUARD: "tickets releases a ticket only for the order holding it; "
    "disabled, any order's cancel frees it (tickets.domain.Ticket.release)",
    Canary.PROCESSED_EVENT_RECORD: "a consumer records each event id with its effect and skips "
    "a repeat; disabled, neither (ticketing_common.listeners.Listener.transactional)",
    Canary.LIVE_ORDER_INDEX: "one live order per ticket, a unique index in the orders "
    "database; disabled, the chaos runner drops the index",
    Canary.EXPIRY_REFUND: "a payment that raced its order's expiry or cancel is refunded; "
    "disabled, it is kept (payments.handlers.on_order_cancelled)",
}

_switched_off: frozenset[Canary] = frozenset()


def disabled(canary: Canary) -> bool:
    """True only in a chaos run whose fault plan switched this safeguard off."""
    return canary in _switched_off


def switch_off(canaries: Iterable[Canary]) -> None:
    """Called by the fault layer when it activates a plan (and by tests to reset it)."""
    global _switched_off
    _switched_off = frozenset(canaries)
