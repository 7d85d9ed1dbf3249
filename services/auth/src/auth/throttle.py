"""Rationing sign-in and sign-up attempts: per client address, per account, and at once.

Password hashing is deliberately expensive, so a flood must be refused before it reaches
the hasher: each address and each account may try a few times a minute (a sliding
window: at most `count` attempts in any `seconds`), and each address and each account may
have only a few attempts in progress at once, so a flood from one address, or on one
account from many, never fills the hashing threads others wait for.
The counts live in the process (each auth replica rations its own hasher); they are
forgotten on restart.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from ticketing_common.errors import TooManyRequests

_UNITS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour)\s*$")


@dataclass(frozen=True)
class Rate:
    """At most `count` events in any `seconds`."""

    count: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> Rate:
        """`30/minute`, `5/second` or `100/hour`; a count of at least 1."""
        match = _RATE.match(text)
        if match is None or int(match.group(1)) < 1:
            raise ValueError("must be a rate such as 30/minute, 5/second or 100/hour")
        return cls(int(match.group(1)), _UNITS[match.group(2)])

    def __str__(self) -> str:
        unit = next(name for name, seconds in _UNITS.items() if seconds == self.seconds)
        return f"{self.count}/{unit}"


class SlidingWindow:
    """Remembers when each key acted, within one window, to say whether it may act again."""

    def __init__(self, rate: Rate, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._clock = clock
        self._times: dict[str, deque[float]] = {}
        self._swept_at = clock()

    def __len__(self) -> int:
        """How many keys it remembers."""
        return len(self._times)

    def take(self, key: str) -> float:
        """Record an attempt by `key` and answer 0, or answer the seconds until it may try again.

        A refused attempt is not recorded, so a client that waits as told gets in.
        """
        now = self._clock()
        self._sweep(now)
        times = self._times.setdefault(key, deque())
        while times and times[0] <= now - self.rate.seconds:
            times.popleft()
        if len(times) >= self.rate.count:
            return times[0] + self.rate.seconds - now
        times.append(now)
        return 0.0

    def _sweep(self, now: float) -> None:
        """Forget keys quiet for a whole window, so addresses seen once do not pile up."""
        if now - self._swept_at < self.rate.seconds:
            return
        self._swept_at = now
        quiet = [key for key, times in self._times.items() if times[-1] <= now - self.rate.seconds]
        for key in quiet:
            del self._times[key]


@dataclass(frozen=True)
class ThrottleSettings:
    """How often and how many at once a client may try its credentials."""

    per_address: Rate
    per_account: Rate
    at_once_per_address: int
    at_once_per_account: int


class Throttle:
    """Admits a sign-in or sign-up attempt, or refuses it at once with 429 and Retry-After."""

    def __init__(self, settings: ThrottleSettings, clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        self._addresses = SlidingWindow(settings.per_address, clock)
        self._accounts = SlidingWindow(settings.per_account, clock)
        self._in_progress: Counter[tuple[str, str]] = Counter()

    @asynccontextmanager
    async def attempt(self, *, address: str, account: str) -> AsyncIterator[None]:
        """Hold one of the address's and one of the account's attempts in progress meanwhile.

        Raises:
            TooManyRequests: the address or the account has too many attempts in progress,
                or has used up its attempts for now.
        """
        by_address, by_account = ("address", address), ("account", account)
        if self._in_progress[by_address] >= self.settings.at_once_per_address:
            raise TooManyRequests("Too many attempts at once from your address", retry_after=1)
        if self._in_progress[by_account] >= self.settings.at_once_per_account:
            raise TooManyRequests("Too many attempts at once on this account", retry_after=1)
        _refuse_if_waiting(self._addresses.take(address), "from your address")
        _refuse_if_waiting(self._accounts.take(account), "for this account")
        self._in_progress.update((by_address, by_account))
        try:
            yield
        finally:
            self._in_progress.subtract((by_address, by_account))
            self._in_progress = +self._in_progress  # forgets keys with nothing in progress


def _refuse_if_waiting(wait: float, whose: str) -> None:
    if wait > 0:
        seconds = max(math.ceil(wait), 1)
        raise TooManyRequests(
            f"Too many attempts {whose}; try again in {seconds} seconds", retry_after=seconds
        )
