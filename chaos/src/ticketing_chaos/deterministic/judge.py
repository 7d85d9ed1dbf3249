"""Judging a program of the deterministic mode: the evidence of its world (the databases, the
simulated bus, the ledger standing for Stripe), checked by the chaos suite's invariants."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from uuid import UUID

from ticketing_chaos import invariants
from ticketing_chaos.deterministic.bus import SimulatedBus
from ticketing_chaos.deterministic.stripe import Ledger
from ticketing_chaos.deterministic.world import World
from ticketing_chaos.explanations import ChaosExplanations
from ticketing_harness.evidence.results import CheckResult
from ticketing_harness.evidence.snapshot import Evidence
from ticketing_harness.evidence.stripe import PaymentIntent, Refund, StripeRecords


class Broken(AssertionError):
    """An invariant does not hold; the message names it and the records."""


# Hypothesis tells failures apart by their exception's type and place: one type per invariant
# keeps a shrinking program breaking the invariant it broke first.
_BROKEN: dict[str, type[Broken]] = {}


async def at_rest(world: World, bus: SimulatedBus, expired: Iterable[UUID]) -> None:
    """Once every message is delivered: every invariant of a system at rest, for the orders
    whose window passed (`expired`)."""
    snapshot = dataclasses.replace(
        await world.records(),
        stream=[message.on_stream for message in bus.stream],
        dead_letters=list(bus.dead),
        consumers=[consumer.state for consumer in bus.consumers],
        stripe=_stripe(world.gateway.ledger),
    )
    explanations = ChaosExplanations(
        copies=bus.copies,
        alone=((c.name, event) for c in bus.consumers for event in c.alone),
    )
    evidence = Evidence(snapshot, explanations, frozenset(str(order) for order in expired))
    _hold([invariant(evidence) for invariant in invariants.AT_REST])


async def at_any_moment(world: World) -> None:
    """The invariants that hold in the middle of a program too (they replay every write)."""
    evidence = Evidence(await world.records())
    _hold([invariant(evidence) for invariant in invariants.AT_ANY_MOMENT])


def _hold(results: list[CheckResult]) -> None:
    broken = next((result for result in results if not result.ok), None)
    if broken is None:
        return
    kind = _BROKEN.setdefault(broken.id, type(f"Broken{broken.id}", (Broken,), {}))
    detail = broken.violations[0].message if broken.violations else broken.checked
    raise kind(f"{broken.id}: {detail}")


def _stripe(ledger: Ledger) -> StripeRecords:
    """The ledger as Stripe's records: every charge succeeded, every refund is in full."""
    intents = [
        PaymentIntent(intent, order, cents, "usd", "succeeded")
        for intent, (cents, order) in ledger.charges.items()
    ]
    refunds = [
        Refund(refund, intent, ledger.charges[intent][0], "succeeded")
        for intent, refund in ledger.refunds.items()
    ]
    return StripeRecords(intents, refunds)
