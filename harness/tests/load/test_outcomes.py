"""Answers are sorted into outcomes as a load test sees them, and tallies add up across workers."""

from __future__ import annotations

from ticketing_harness.load.outcomes import (
    ALREADY_RESERVED,
    Answer,
    Expected,
    Outcome,
    Tally,
    classify,
)

RESERVE: Expected = {
    (201, None): Outcome.OK,
    (400, ALREADY_RESERVED): Outcome.LOST,
    (404, None): Outcome.NOT_YET,
}


def test_a_losers_already_reserved_answer_is_expected_not_a_failure() -> None:
    outcome = classify(Answer(400, ALREADY_RESERVED), RESERVE)
    assert outcome is Outcome.LOST
    assert not outcome.failed


def test_5xx_dropped_connections_and_timeouts_are_failures() -> None:
    assert classify(Answer(502, "Bad Gateway"), RESERVE) is Outcome.SERVER_ERROR
    assert classify(Answer(0, "ConnectionResetError"), RESERVE) is Outcome.DROPPED
    assert classify(Answer(0, "Timeout", timed_out=True), RESERVE) is Outcome.TIMEOUT
    assert all(
        outcome.failed for outcome in (Outcome.SERVER_ERROR, Outcome.DROPPED, Outcome.TIMEOUT)
    )


def test_another_400_is_unexpected_and_a_429_is_throttling() -> None:
    assert classify(Answer(400, "TicketId must be provided"), RESERVE) is Outcome.UNEXPECTED
    assert Outcome.UNEXPECTED.failed
    assert classify(Answer(429, "Too many requests"), RESERVE) is Outcome.THROTTLED
    assert not Outcome.THROTTLED.failed


def test_tallies_drained_from_workers_merge_into_the_masters() -> None:
    worker, master = Tally(), Tally()
    worker.count("reserve", Outcome.LOST, Answer(400, ALREADY_RESERVED))
    worker.count("reserve", Outcome.SERVER_ERROR, Answer(503))
    worker.won.append(("order-1", "ticket-1"))
    master.merge(Tally.from_json(worker.drain().to_json()))
    master.merge(Tally.from_json(worker.drain().to_json()))  # a second drain is empty
    assert master.outcomes == {"reserve": {"lost": 1, "server error": 1}}
    assert master.failures == {"server error": {"reserve: 503": 1}}
    assert master.won == [("order-1", "ticket-1")]
    assert worker.outcomes == {} and worker.won == []
