"""Waiting for a condition with a deadline, instead of sleeping and hoping."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    check: Callable[[], Awaitable[T]],
    *,
    timeout: float = 10.0,
    interval: float = 0.05,
    message: str = "condition was not met",
) -> T:
    """Return the first truthy result of ``check()``; fail with the last result after ``timeout``.

    A check that raises counts as not yet true, so it may use ``assert``; the last
    exception is chained to the final ``AssertionError``.
    """
    deadline = time.monotonic() + timeout
    while True:
        error: Exception | None = None
        try:
            async with asyncio.timeout(max(deadline - time.monotonic(), interval)):
                result = await check()
        except Exception as raised:
            error = raised
            last = repr(raised)
        else:
            if result:
                return result
            last = repr(result)
        if time.monotonic() >= deadline:
            raise AssertionError(f"{message} within {timeout}s; last: {last}") from error
        await asyncio.sleep(interval)


def wait_until(condition: Callable[[], bool], *, timeout: float, interval: float = 0.02) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True
