"""A flood of wrong-password sign-ins from other addresses leaves a real sign-in fast.

150 parallel wrong-password sign-ins used to queue 150 password hashes in front of
everyone: a real sign-in took 22.7 s. Now the flood is refused at once (429 with
Retry-After, or 503 when the hashing queue is full) and a real sign-in from another
address, sent while the flood is in progress, answers within a second.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter

import httpx
import pytest

from ticketing_harness.testing.forms import submit
from ticketing_harness.testing.stacks import RunningStack, browser, signed_up

pytestmark = [pytest.mark.xdist_group("stack"), pytest.mark.timeout(300)]

FLOOD = 150
FLOODING_ADDRESSES = 3
ROUNDS = 3
PASSWORD = "right-pass"


async def _sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/users/signin", json={"email": email, "password": password})


async def _timed_sign_in(client: httpx.AsyncClient, email: str) -> float:
    started = time.monotonic()
    response = await _sign_in(client, email, PASSWORD)
    assert response.status_code == 200, response.text
    return time.monotonic() - started


class Flood:
    """FLOOD wrong-password sign-ins on one account, sent at once from the flooders' addresses."""

    def __init__(self, flooders: list[httpx.AsyncClient], victim: str) -> None:
        self.answered = asyncio.Event()
        per_address = FLOOD // len(flooders)
        attempts = [self._attempt(f, victim) for f in flooders for _ in range(per_address)]
        self.answers = asyncio.gather(*attempts)

    async def _attempt(self, flooder: httpx.AsyncClient, victim: str) -> httpx.Response:
        answer = await _sign_in(flooder, victim, "wrong-guess")
        self.answered.set()
        return answer

    async def under_way(self) -> None:
        """Until auth has answered the first of them: the others are in flight or queued."""
        await asyncio.wait_for(self.answered.wait(), timeout=30)


async def test_a_real_sign_in_answers_within_a_second_during_a_flood_from_other_addresses(
    stack: RunningStack,
) -> None:
    async with signed_up(stack.url) as victim, signed_up(stack.url, PASSWORD) as user:
        victim_email = (await victim.get("/api/users/currentuser")).json()["currentUser"]["email"]
        email = (await user.get("/api/users/currentuser")).json()["currentUser"]["email"]
        quiet = [await _timed_sign_in(user, email) for _ in range(ROUNDS)]

        limits = httpx.Limits(max_connections=FLOOD // FLOODING_ADDRESSES)
        flooders = [browser(stack.url, limits=limits) for _ in range(FLOODING_ADDRESSES)]
        during: list[float] = []
        answers: list[httpx.Response] = []
        for _ in range(ROUNDS):
            flood = Flood(flooders, victim_email)
            await flood.under_way()
            during.append(await _timed_sign_in(user, email))
            answers += await flood.answers
        web = await _web_sign_in_during_a_flood(stack, flooders, victim_email, email)
        for flooder in flooders:
            await flooder.aclose()

    statuses = Counter(answer.status_code for answer in answers)
    print(
        f"real sign-in: {statistics.median(quiet):.3f}s quiet, during {FLOOD}-request floods "
        f"median {statistics.median(during):.3f}s, max {max(during):.3f}s; "
        f"flood answers {dict(statuses)}"
    )
    assert max(during) < 1.0, during
    assert set(statuses) <= {400, 429, 503}
    assert statuses[429] > FLOOD * ROUNDS // 2
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["errors"][0]["message"].startswith("Too many attempts")
    assert web.status_code == 303


async def _web_sign_in_during_a_flood(
    stack: RunningStack, flooders: list[httpx.AsyncClient], victim: str, email: str
) -> httpx.Response:
    """A visitor signs in through the web client's form while the flood goes on."""
    async with browser(stack.url) as visitor:
        page = await visitor.get("/auth/signin")
        assert page.status_code == 200
        flood = Flood(flooders, victim)
        await flood.under_way()
        signed_in = await submit(visitor, "/auth/signin", email=email, password=PASSWORD)
        await flood.answers
    return signed_in
