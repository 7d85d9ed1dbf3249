"""Restarts after crashes: a growing wait, a fresh count after a stable run, then giving up."""

from __future__ import annotations

from ticketing_harness.local.supervisor.backoff import Backoff


def test_each_failure_in_a_row_waits_longer_until_it_gives_up() -> None:
    backoff = Backoff(delays=(0.5, 1.0, 2.0))
    assert [backoff.failed(now=0.0) for _ in range(4)] == [0.5, 1.0, 2.0, None]


def test_a_process_that_stayed_ready_long_enough_starts_a_new_count() -> None:
    backoff = Backoff(delays=(0.5, 1.0), stable_seconds=30.0)
    backoff.failed(now=0.0)
    backoff.ready(now=1.0)
    assert backoff.failed(now=5.0) == 1.0
    backoff.ready(now=6.0)
    assert backoff.failed(now=60.0) == 0.5


def test_a_restart_on_request_forgets_the_failures() -> None:
    backoff = Backoff(delays=(0.5,))
    backoff.failed(now=0.0)
    assert backoff.failed(now=0.0) is None
    backoff.reset()
    assert backoff.failed(now=0.0) == 0.5
