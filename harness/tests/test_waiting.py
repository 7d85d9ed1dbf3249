"""Waiting helpers: a deadline instead of a sleep."""

from __future__ import annotations

import itertools

import pytest

from ticketing_harness.waiting import eventually, wait_until


async def test_eventually_returns_the_first_truthy_value() -> None:
    counter = itertools.count()

    async def check() -> int:
        return next(counter)

    assert await eventually(check, interval=0.001) == 1


async def test_eventually_fails_with_the_message_and_last_value() -> None:
    async def check() -> list[int]:
        return []

    with pytest.raises(AssertionError, match=r"no order within 0.05s; last: \[\]"):
        await eventually(check, timeout=0.05, message="no order")


async def test_eventually_retries_a_failing_check_and_chains_its_last_error() -> None:
    async def check() -> bool:
        raise ConnectionRefusedError("broker down")

    with pytest.raises(AssertionError, match="broker down") as raised:
        await eventually(check, timeout=0.05)

    assert isinstance(raised.value.__cause__, ConnectionRefusedError)


def test_wait_until_reports_whether_the_condition_held() -> None:
    counter = itertools.count()

    assert wait_until(lambda: next(counter) == 3, timeout=1, interval=0.001)
    assert not wait_until(lambda: False, timeout=0.02, interval=0.001)
