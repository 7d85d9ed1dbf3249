"""Turns at the hasher: round-robin by client, a bounded waiting room that floods cannot fill."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from auth.turns import FairTurns, Pushed, RoomFull
from ticketing_harness.waiting import eventually


class Run:
    """Requests taking turns; each holds its turn until the test releases it."""

    def __init__(self, turns: FairTurns) -> None:
        self.turns = turns
        self.served: list[str] = []
        self.release = asyncio.Event()

    async def request(self, client: str, name: str) -> str:
        async with self.turns.turn(client):
            self.served.append(name)
            await self.release.wait()
        return name

    def send(self, client: str, name: str) -> asyncio.Task[str]:
        return asyncio.ensure_future(self.request(client, name))


async def _until(check: Callable[[], bool], message: str) -> None:
    async def holds() -> bool:
        return check()

    await eventually(holds, timeout=5, message=message)


def _held(run: Run, names: list[str]) -> Callable[[], Awaitable[None]]:
    return lambda: _until(lambda: run.served == names, f"never served {names}: {run.served}")


async def test_clients_take_turns_whatever_each_sent() -> None:
    run = Run(FairTurns(turns=1, room=10))
    first = run.send("flooder", "f0")
    await _held(run, ["f0"])()
    tasks = [run.send("flooder", f"f{n}") for n in range(1, 4)]
    await _until(lambda: run.turns.waiting == 3, "the flood never waited")
    tasks.append(run.send("user", "u0"))
    await _until(lambda: run.turns.waiting == 4, "the user never waited")
    run.release.set()
    await asyncio.gather(first, *tasks)
    assert run.served == ["f0", "f1", "u0", "f2", "f3"]


async def test_a_full_room_makes_the_longest_line_give_its_last_place_to_a_newcomer() -> None:
    run = Run(FairTurns(turns=1, room=2))
    holding = run.send("flooder", "f0")
    await _held(run, ["f0"])()
    waiting = [run.send("flooder", "f1"), run.send("flooder", "f2")]
    await _until(lambda: run.turns.waiting == 2, "the flood never waited")
    newcomer = run.send("user", "u0")
    with pytest.raises(Pushed):
        await waiting[1]
    run.release.set()
    assert list(await asyncio.gather(holding, waiting[0], newcomer)) == ["f0", "f1", "u0"]


async def test_a_full_room_with_no_longer_line_refuses_the_newcomer() -> None:
    run = Run(FairTurns(turns=1, room=1))
    holding = run.send("a", "a0")
    await _held(run, ["a0"])()
    waiting = run.send("b", "b0")
    await _until(lambda: run.turns.waiting == 1, "b never waited")
    with pytest.raises(RoomFull) as refused:
        await run.request("c", "c0")
    assert (refused.value.status_code, refused.value.headers) == (503, {"Retry-After": "1"})
    run.release.set()
    assert list(await asyncio.gather(holding, waiting)) == ["a0", "b0"]


async def test_a_waiter_that_goes_away_leaves_its_place_and_no_turn_is_lost() -> None:
    run = Run(FairTurns(turns=1, room=5))
    holding = run.send("a", "a0")
    await _held(run, ["a0"])()
    gone = run.send("b", "b0")
    await _until(lambda: run.turns.waiting == 1, "b never waited")
    gone.cancel()
    await _until(lambda: run.turns.waiting == 0, "b never left")
    later = run.send("c", "c0")
    run.release.set()
    assert list(await asyncio.gather(holding, later)) == ["a0", "c0"]
    assert run.served == ["a0", "c0"]
    async with asyncio.timeout(1), run.turns.turn("d"):
        pass
