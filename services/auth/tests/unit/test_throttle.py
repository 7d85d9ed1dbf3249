"""Rationing: so many attempts per address and per account in any window, few at once."""

from __future__ import annotations

import asyncio

import pytest

from auth.throttle import Rate, SlidingWindow, Throttle, ThrottleSettings
from ticketing_common.errors import TooManyRequests


class Clock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("30/minute", Rate(30, 60.0)),
        (" 5 / second ", Rate(5, 1.0)),
        ("100/hour", Rate(100, 3600.0)),
    ],
)
def test_rates_read_as_count_per_unit(text: str, rate: Rate) -> None:
    assert Rate.parse(text) == rate
    assert Rate.parse(str(rate)) == rate


@pytest.mark.parametrize("text", ["", "30", "0/minute", "30/fortnight", "-1/second", "1.5/hour"])
def test_anything_else_is_not_a_rate(text: str) -> None:
    with pytest.raises(ValueError, match="must be a rate such as 30/minute"):
        Rate.parse(text)


def test_a_key_may_act_count_times_in_any_window_then_waits_for_the_oldest() -> None:
    clock = Clock()
    window = SlidingWindow(Rate(3, 60.0), clock)
    assert [window.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    clock.now += 20
    assert window.take("a") == pytest.approx(40.0)
    assert window.take("b") == 0.0
    clock.now += 40
    assert window.take("a") == 0.0


def test_a_refused_attempt_does_not_push_the_wait_further() -> None:
    clock = Clock()
    window = SlidingWindow(Rate(1, 10.0), clock)
    window.take("a")
    for _ in range(5):
        clock.now += 1
        window.take("a")
    clock.now += 5
    assert window.take("a") == 0.0


def test_keys_quiet_for_a_whole_window_are_forgotten() -> None:
    clock = Clock()
    window = SlidingWindow(Rate(5, 60.0), clock)
    for n in range(100):
        window.take(f"address-{n}")
    clock.now += 61
    window.take("latest")
    assert len(window) == 1


def _throttle(clock: Clock) -> Throttle:
    settings = ThrottleSettings(
        Rate(3, 60.0), Rate(2, 60.0), at_once_per_account=1, turns=2, room=10
    )
    return Throttle(settings, clock)


async def test_an_account_with_an_attempt_in_progress_is_refused_from_any_address() -> None:
    throttle = _throttle(Clock())
    async with throttle.attempt(address="10.0.0.1", account="victim@example.com"):
        with pytest.raises(TooManyRequests, match="at once on this account") as refused:
            async with throttle.attempt(address="10.0.0.2", account="victim@example.com"):
                pass
        async with throttle.attempt(address="10.0.0.1", account="other@example.com"):
            pass
    assert refused.value.headers == {"Retry-After": "1"}
    async with throttle.attempt(address="10.0.0.2", account="victim@example.com"):
        pass


async def test_an_address_that_tried_too_often_waits_as_long_as_it_is_told() -> None:
    clock = Clock()
    throttle = _throttle(clock)
    for n in range(3):
        async with throttle.attempt(address="10.0.0.1", account=f"user{n}@example.com"):
            clock.now += 1
    with pytest.raises(TooManyRequests, match="from your address; try again in 57 seconds"):
        async with throttle.attempt(address="10.0.0.1", account="new@example.com"):
            pass
    clock.now += 57
    async with throttle.attempt(address="10.0.0.1", account="new@example.com"):
        pass


async def test_an_account_is_rationed_whichever_address_tries_it() -> None:
    throttle = _throttle(Clock())
    for n in range(2):
        async with throttle.attempt(address=f"10.0.0.{n}", account="victim@example.com"):
            pass
    with pytest.raises(TooManyRequests, match="for this account") as refused:
        async with throttle.attempt(address="10.0.0.9", account="victim@example.com"):
            pass
    assert refused.value.headers["Retry-After"] == "60"


async def test_an_attempt_that_fails_still_frees_its_account_and_its_turn() -> None:
    settings = ThrottleSettings(
        Rate(9, 60.0), Rate(9, 60.0), at_once_per_account=1, turns=1, room=0
    )
    throttle = Throttle(settings)
    with pytest.raises(RuntimeError):
        async with throttle.attempt(address="10.0.0.1", account="a@example.com"):
            raise RuntimeError("the hasher failed")
    async with asyncio.timeout(1), throttle.attempt(address="10.0.0.1", account="a@example.com"):
        pass
