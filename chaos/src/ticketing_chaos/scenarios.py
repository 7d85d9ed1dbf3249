"""The chaos scenarios: a workload, an expiration window and the faults each one injects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ticketing_chaos.workload.actors import Mix
from ticketing_common.faults.canaries import Canary
from ticketing_common.faults.plan import FaultKind, FaultPlan, FaultRule

Rules = Callable[[float], tuple[FaultRule, ...]]

# Consumers whose lost acks come back within seconds (the others wait minutes for theirs).
QUICK_CONSUMERS = (
    "tickets-order-created",
    "tickets-order-cancelled",
    "tickets-order-completed",
    "orders-ticket-created",
    "orders-ticket-updated",
    "orders-expiration-complete",
    "orders-payment-created",
    "orders-payment-refunded",
    "payments-order-created",
    "payments-order-completed",
    "expiration-order-created",
)


@dataclass(frozen=True)
class Scenario:
    """A named workload and fault mix; `standard` ones run in the suite and the canary proof."""

    name: str
    summary: str
    duration: float
    expiration_seconds: int
    mix: Mix
    rules: Rules
    standard: bool = True

    def plan(
        self, seed: int, duration: float, run_dir: Path, canaries: tuple[Canary, ...] = ()
    ) -> FaultPlan:
        return FaultPlan(seed=seed, run_dir=run_dir, rules=self.rules(duration), canaries=canaries)


def _rule(rule_id: str, kind: FaultKind, p: float, **fields: object) -> FaultRule:
    return FaultRule.model_validate({"id": rule_id, "kind": kind, "probability": p, **fields})


def _versions(duration: float) -> tuple[FaultRule, ...]:
    return (
        _rule(
            "reorder-ticket-updates",
            FaultKind.REORDER,
            0.5,
            consumers=("orders-ticket-updated",),
            window=3,
            seconds=(0.3, 1.0),
        ),
        _rule(
            "delay-ticket-updates",
            FaultKind.DELAY,
            0.3,
            consumers=("orders-ticket-updated",),
            seconds=(0.2, 1.5),
        ),
        _rule(
            "copy-ticket-events",
            FaultKind.DUPLICATE,
            0.1,
            subjects=("events.ticket.*",),
            seconds=(0.2, 2.0),
        ),
        _rule(
            "fresh-copy-ticket-updates",
            FaultKind.DUPLICATE_FRESH_ID,
            0.1,
            subjects=("events.ticket.updated",),
            seconds=(0.5, 2.0),
        ),
        _rule(
            "drop-ticket-deliveries",
            FaultKind.DROP_DELIVERY,
            0.1,
            consumers=("orders-ticket-created", "orders-ticket-updated"),
            seconds=(0.1, 0.5),
        ),
    )


def _crowds(duration: float) -> tuple[FaultRule, ...]:
    return (
        _rule(
            "late-fresh-copy-cancels",
            FaultKind.DUPLICATE_FRESH_ID,
            0.5,
            subjects=("events.order.cancelled",),
            seconds=(0.5, 2.5),
        ),
        _rule(
            "copy-order-events",
            FaultKind.DUPLICATE,
            0.2,
            subjects=("events.order.*",),
            seconds=(0.2, 2.0),
        ),
        _rule(
            "delay-cancels-to-tickets",
            FaultKind.DELAY,
            0.3,
            consumers=("tickets-order-cancelled",),
            seconds=(0.2, 1.5),
        ),
        _rule(
            "reorder-orders-to-tickets",
            FaultKind.REORDER,
            0.3,
            consumers=("tickets-order-created", "tickets-order-cancelled"),
            window=2,
            seconds=(0.2, 0.8),
        ),
    )


def _expiries(duration: float) -> tuple[FaultRule, ...]:
    return (
        _rule(
            "delay-cancels-to-payments",
            FaultKind.DELAY,
            0.5,
            consumers=("payments-order-cancelled",),
            seconds=(0.5, 3.0),
        ),
        _rule(
            "delay-orders-to-payments",
            FaultKind.DELAY,
            0.2,
            consumers=("payments-order-created",),
            seconds=(0.2, 1.5),
        ),
        _rule(
            "copy-payments",
            FaultKind.DUPLICATE,
            0.2,
            subjects=("events.payment.created",),
            seconds=(0.2, 2.0),
        ),
        _rule(
            "drop-payment-deliveries",
            FaultKind.DROP_DELIVERY,
            0.2,
            consumers=("orders-payment-created", "orders-payment-refunded"),
            seconds=(0.1, 0.5),
        ),
        _rule(
            "copy-refunds",
            FaultKind.DUPLICATE_FRESH_ID,
            0.3,
            subjects=("events.payment.refunded",),
            seconds=(0.1, 1.0),
        ),
    )


def _crashes(duration: float) -> tuple[FaultRule, ...]:
    return (
        _rule("kill-before-ack", FaultKind.KILL, 0.05, consumers=QUICK_CONSUMERS, limit=2),
        _rule("lose-acks", FaultKind.LOSE_ACK, 0.05, consumers=QUICK_CONSUMERS),
        _rule("drop-publishes", FaultKind.DROP_PUBLISH, 0.1),
        _rule("lose-publish-acks", FaultKind.LOSE_PUBACK, 0.1),
        _rule("drop-deliveries", FaultKind.DROP_DELIVERY, 0.1, seconds=(0.1, 1.0)),
        _rule("pause-consumers", FaultKind.PAUSE, 0.02, seconds=(1.0, 3.0)),
        _rule("restart-broker", FaultKind.RESTART_BROKER, 1, at=(duration * 0.4, duration * 0.75)),
    )


def _everything(duration: float) -> tuple[FaultRule, ...]:
    return (*_versions(duration), *_crowds(duration), *_expiries(duration), *_crashes(duration))


def _smoke(duration: float) -> tuple[FaultRule, ...]:
    return (
        _rule("reorder", FaultKind.REORDER, 0.2, window=2, seconds=(0.2, 0.6)),
        _rule("delay", FaultKind.DELAY, 0.2, seconds=(0.1, 0.8)),
        _rule("copy", FaultKind.DUPLICATE, 0.1, seconds=(0.1, 1.0)),
        _rule("fresh-copy", FaultKind.DUPLICATE_FRESH_ID, 0.1, seconds=(0.1, 1.0)),
        _rule("drop-delivery", FaultKind.DROP_DELIVERY, 0.1, seconds=(0.1, 0.3)),
        _rule("lose-ack", FaultKind.LOSE_ACK, 0.03, consumers=QUICK_CONSUMERS, limit=2),
        _rule("drop-publish", FaultKind.DROP_PUBLISH, 0.1),
        _rule("lose-puback", FaultKind.LOSE_PUBACK, 0.1),
        _rule("pause", FaultKind.PAUSE, 0.02, seconds=(0.3, 1.0)),
        _rule("kill", FaultKind.KILL, 0.1, consumers=("orders-ticket-updated",), limit=1),
    )


SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario(
            "mixed",
            "everything at once: every fault kind, the broker restarted twice, services killed",
            duration=40,
            expiration_seconds=4,
            mix=Mix(),
            rules=_everything,
        ),
        Scenario(
            "versions",
            "bursts of edits of one ticket, reordered and copied on the way to the replica",
            duration=30,
            expiration_seconds=5,
            mix=Mix(sellers=4, edits=(3, 5), crowds=1, crowd_size=(2, 3)),
            rules=_versions,
        ),
        Scenario(
            "crowds",
            "crowds racing for few tickets, cancels and late copies of them, sellers editing",
            duration=30,
            expiration_seconds=4,
            mix=Mix(
                sellers=1,
                crowds=3,
                crowd_size=(4, 8),
                rounds=4,
                endings=(("cancel", 6.0), ("pay", 1.0), ("expire", 1.0)),
            ),
            rules=_crowds,
        ),
        Scenario(
            "expiries",
            "payments racing a 3 s expiry and cancels; cancels held back, refunds copied",
            duration=30,
            expiration_seconds=3,
            mix=Mix(
                sellers=2,
                crowds=3,
                crowd_size=(1, 3),
                rounds=2,
                endings=(("pay_at_expiry", 5.0), ("pay_and_cancel", 3.0), ("pay", 1.0)),
            ),
            rules=_expiries,
        ),
        Scenario(
            "crashes",
            "kills between commit and ack, lost acks, dropped publishes, broker restarts",
            duration=30,
            expiration_seconds=4,
            mix=Mix(),
            rules=_crashes,
        ),
        Scenario(
            "smoke",
            "a short run with a little of every message fault and one kill (the test suite's)",
            duration=12,
            expiration_seconds=3,
            mix=Mix(users=6, sellers=2, edits=(2, 3), crowds=1, crowd_size=(2, 4), rounds=2),
            rules=_smoke,
            standard=False,
        ),
    )
}

STANDARD = tuple(name for name, scenario in SCENARIOS.items() if scenario.standard)
