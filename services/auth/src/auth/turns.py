"""A few turns at a time, shared fairly among clients, with a bounded waiting room.

Each client waits in its own line; when a turn frees, the next client in a round gets it,
so a client with one request waiting is served after at most one request of each other
client, however many those others sent. The waiting room holds `room` requests: when it
is full, a newcomer takes the place of the last request of the longest line (which is
refused at once) if that line is at least two longer than the newcomer's; otherwise the
newcomer is refused. A burst from one client waits its turn; a flood never locks out
anyone else.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ticketing_common.errors import ServiceBusy, TooManyRequests


class Pushed(TooManyRequests):
    """The client's request gave its place to another client's: it has too many waiting."""

    def __init__(self) -> None:
        super().__init__("Too many attempts at once from your address", retry_after=1)


class RoomFull(ServiceBusy):
    """Every place is taken by clients with no more waiting than this one."""

    def __init__(self) -> None:
        super().__init__("Signing in is busy right now; try again in a moment", retry_after=1)


class FairTurns:
    """`turns` requests at a time, served round-robin by client, `room` more waiting."""

    def __init__(self, *, turns: int, room: int) -> None:
        self._free = turns
        self._room = room
        self._lines: OrderedDict[str, deque[asyncio.Future[None]]] = OrderedDict()

    @property
    def waiting(self) -> int:
        return sum(len(line) for line in self._lines.values())

    @asynccontextmanager
    async def turn(self, client: str) -> AsyncIterator[None]:
        """Hold a turn while the block runs, once it is the client's.

        Raises:
            Pushed: the client's request lost its place to another client's.
            RoomFull: there was no place to wait.
        """
        if self._free and not self._lines:
            self._free -= 1
        else:
            await self._wait(client)
        try:
            yield
        finally:
            self._pass_on()

    async def _wait(self, client: str) -> None:
        if self.waiting >= self._room:
            self._push_out_for(client)
        granted = asyncio.get_running_loop().create_future()
        self._lines.setdefault(client, deque()).append(granted)
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self._pass_on()  # the turn came as the caller went away
            else:
                self._leave(client, granted)
            raise

    def _push_out_for(self, client: str) -> None:
        """Free a place for `client` from a line longer than its own would be, or refuse it."""
        if not self._lines:
            raise RoomFull()
        longest = max(self._lines, key=lambda other: len(self._lines[other]))
        if len(self._lines[longest]) <= len(self._lines.get(client, ())) + 1:
            raise RoomFull()
        pushed = self._lines[longest].pop()
        if not self._lines[longest]:
            del self._lines[longest]
        pushed.set_exception(Pushed())

    def _pass_on(self) -> None:
        """Give the freed turn to the next client in the round, or keep it free."""
        while self._lines:
            client, line = next(iter(self._lines.items()))
            granted = line.popleft()
            if line:
                self._lines.move_to_end(client)
            else:
                del self._lines[client]
            if not granted.done():
                granted.set_result(None)
                return
        self._free += 1

    def _leave(self, client: str, granted: asyncio.Future[None]) -> None:
        line = self._lines.get(client)
        if line is not None and granted in line:
            line.remove(granted)
            if not line:
                del self._lines[client]
