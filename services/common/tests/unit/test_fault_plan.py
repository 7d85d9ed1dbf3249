"""The fault layer's choices: drawn from the seed, capped, stopped, refused in production."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from ticketing_common import faults
from ticketing_common.faults.canaries import Canary, disabled
from ticketing_common.faults.layer import FaultLayer
from ticketing_common.faults.plan import FaultKind, FaultPlan, FaultRule, Stage
from ticketing_common.faults.record import EventRef, read_faults

SUBJECT = "events.ticket.updated"


def plan(tmp_path: Path, *rules: FaultRule, seed: int = 7) -> FaultPlan:
    return FaultPlan(seed=seed, run_dir=tmp_path, rules=rules)


def hits(layer: FaultLayer, count: int, consumer: str = "orders-ticket-updated") -> list[int]:
    chosen = (
        layer.choose(Stage.DELIVERY, SUBJECT, consumer=consumer, ack_wait=10.0)
        for _ in range(count)
    )
    return [n for n, injection in enumerate(chosen) if injection is not None]


def test_the_same_seed_hits_the_same_messages(tmp_path: Path) -> None:
    rule = FaultRule(id="d", kind=FaultKind.DELAY, probability=0.3)
    first = hits(FaultLayer(plan(tmp_path, rule)), 200)
    again = hits(FaultLayer(plan(tmp_path, rule)), 200)
    other = hits(FaultLayer(plan(tmp_path, rule, seed=8)), 200)
    assert first == again
    assert first != other
    assert 30 < len(first) < 90


def test_a_rule_applies_only_to_its_consumers_and_subjects(tmp_path: Path) -> None:
    rule = FaultRule(
        id="d",
        kind=FaultKind.DELAY,
        probability=1,
        consumers=("orders-ticket-updated",),
        subjects=("events.ticket.*",),
    )
    layer = FaultLayer(plan(tmp_path, rule))
    assert hits(layer, 3) == [0, 1, 2]
    assert hits(layer, 3, consumer="tickets-order-created") == []
    assert (
        layer.choose(Stage.DELIVERY, "events.order.created", consumer="orders-ticket-updated")
        is None
    )
    assert layer.choose(Stage.PUBLISH, SUBJECT) is None


def test_a_limit_caps_the_faults_of_the_whole_run(tmp_path: Path) -> None:
    rule = FaultRule(id="k", kind=FaultKind.KILL, probability=1, limit=1)
    layer = FaultLayer(plan(tmp_path, rule))
    injection = layer.choose(Stage.DELIVERY, SUBJECT, consumer="c", ack_wait=10.0)
    assert injection is not None
    layer.record(injection, SUBJECT, EventRef(event_id=str(uuid.uuid4())), consumer="c")
    assert layer.choose(Stage.DELIVERY, SUBJECT, consumer="c", ack_wait=10.0) is None
    # A process started after the one that fired it (a restarted service) sees it fired.
    restarted = FaultLayer(plan(tmp_path, rule))
    assert restarted.choose(Stage.DELIVERY, SUBJECT, consumer="c", ack_wait=10.0) is None
    assert [fault.kind for fault in read_faults(tmp_path / "faults")] == [FaultKind.KILL]


def test_lost_acks_and_kills_spare_consumers_with_a_long_ack_wait(tmp_path: Path) -> None:
    rule = FaultRule(id="a", kind=FaultKind.LOSE_ACK, probability=1)
    layer = FaultLayer(plan(tmp_path, rule))
    assert layer.choose(Stage.DELIVERY, SUBJECT, consumer="c", ack_wait=150.0) is None
    assert layer.choose(Stage.DELIVERY, SUBJECT, consumer="c", ack_wait=10.0) is not None


def test_no_fault_once_the_run_is_quiet(tmp_path: Path) -> None:
    layer = FaultLayer(plan(tmp_path, FaultRule(id="d", kind=FaultKind.DELAY, probability=1)))
    assert hits(layer, 1) == [0]
    layer.plan.quiet_file.touch()
    assert hits(layer, 5) == []


def test_a_plan_is_refused_in_production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plan.json"
    plan(tmp_path).save(path)
    monkeypatch.setenv(faults.PLAN_VARIABLE, str(path))
    assert faults.plan_from_environment() == plan(tmp_path)
    monkeypatch.setenv("ENVIRONMENT", "production")
    with pytest.raises(faults.FaultLayerRefused, match="refused in production"):
        faults.plan_from_environment()


def test_an_unreadable_plan_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(faults.PLAN_VARIABLE, str(tmp_path / "missing.json"))
    with pytest.raises(faults.FaultLayerRefused, match="not a readable fault plan"):
        faults.plan_from_environment()


def test_no_plan_means_no_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(faults.PLAN_VARIABLE, raising=False)
    assert faults.plan_from_environment() is None


def test_canaries_hold_unless_a_plan_switches_them_off(tmp_path: Path) -> None:
    assert not any(disabled(canary) for canary in Canary)
    chaotic = plan(tmp_path).model_copy(update={"canaries": (Canary.STALE_CANCEL_GUARD,)})
    with faults.activated(chaotic):
        assert disabled(Canary.STALE_CANCEL_GUARD)
        assert not disabled(Canary.NEXT_VERSION_RULE)
    assert not disabled(Canary.STALE_CANCEL_GUARD)


def test_off_the_layer_hands_back_the_consumer_itself() -> None:
    async def settle(msg: object) -> None:
        return None

    assert faults.active() is None
    assert faults.delivery("any", 10.0, settle) is settle


def test_a_fault_rule_describes_itself() -> None:
    rule = FaultRule(
        id="r1", kind=FaultKind.REORDER, probability=0.25, seconds=(1, 1), window=3, limit=9
    )
    assert rule.describe() == "r1: reorder p=0.25 1s, window 3, at most 9 on events.>"
    broker = FaultRule(id="r2", kind=FaultKind.RESTART_BROKER, at=(5, 12.5))
    assert broker.describe() == "r2: restart-broker at 5s, 12.5s"


def test_seconds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="low <= high"):
        FaultRule(id="x", kind=FaultKind.DELAY, seconds=(2, 1))
