"""Rationing sign-in and sign-up attempts: per client address, per account, and their turns.

Password hashing is deliberately expensive, so a flood must be refused before it reaches
the hasher: each address and each account may try a few times a minute (a sliding
window: at most `count` attempts in any `seconds`), an account has few attempts in progress
at a time (one by default), and attempts take turns at the hashing threads fairly by address
(`auth.turns`), so a flood from some addresses never makes another address wait long.
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

from auth.turns import FairTurns
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
    """How often a client may try its credentials, and the turns they take at the hasher."""

    per_address: Rate
    per_account: Rate
    at_once_per_account: int
    turns: int
    room: int


class Throttle:
    """Admits a sign-in or sign-up attempt in its turn, or refuses it at once (429 or 503)."""

    def __init__(self, settings: ThrottleSettings, clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        self._addresses = SlidingWindow(settings.per_address, clock)
        self._accounts = SlidingWindow(settings.per_account, clock)
        self._turns = FairTurns(turns=settings.turns, room=settings.room)
        self._in_progress: Counter[str] = Counter()

    @asynccontextmanager
    async def attempt(self, *, address: str, account: str) -> AsyncIterator[None]:
        """Run the block as one of the account's few attempts, in the address's turn at the hasher.

        Raises:
            TooManyRequests: the account has an attempt in progress, the address or the
                account has used up its attempts for now, or the address has too many waiting.
            ServiceBusy: no room to wait for a turn.
        """
        if self._in_progress[account] >= self.settings.at_once_per_account:
            raise TooManyRequests("Too many attempts at once on this account", retry_after=1)
        _refuse_if_waiting(self._addresses.take(address), "from your address")
        _refuse_if_waiting(self._accounts.take(account), "for this account")
        self._in_progress[account] += 1
        try:
            async with self._turns.turn(address):
                yield
        finally:
            self._in_progress[account] -= 1
            if not self._in_progress[account]:
                del self._in_progress[account]


def _refuse_if_waiting(wait: float, whose: str) -> None:
    if wait > 0:
        seconds = max(math.ceil(wait), 1)
        raise TooManyRequests(
            f"Too many attempts {whose}; try again in {seconds} seconds", retry_after=seconds
        )
