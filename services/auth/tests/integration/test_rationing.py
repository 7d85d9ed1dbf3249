"""Sign-in and sign-up floods are refused at once, by address and by account, with Retry-After."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager

from auth.app import create_app
from auth.config import Settings
from auth.throttle import Rate
from ticketing_harness.waiting import eventually

Clients = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]
BODY = {"email": "victim@example.com", "password": "wrong-guess"}


@asynccontextmanager
async def _clients(settings: Settings) -> AsyncIterator[Clients]:
    """The real auth app, and clients of it that connect from the address they are given."""
    async with LifespanManager(create_app(settings), startup_timeout=60) as manager:

        @asynccontextmanager
        async def client_from(address: str) -> AsyncIterator[httpx.AsyncClient]:
            transport = httpx.ASGITransport(app=manager.app, client=(address, 40000))
            async with httpx.AsyncClient(transport=transport, base_url="https://auth") as client:
                yield client

        yield client_from


def _rationed(settings: Settings, **limits: object) -> Settings:
    return settings.model_copy(update=limits)


async def test_an_address_past_its_rate_gets_429_with_retry_after_and_others_do_not(
    settings: Settings,
) -> None:
    rationed = _rationed(settings, signin_rate_per_address=Rate.parse("3/minute"))
    async with _clients(rationed) as client_from, client_from("10.0.0.1") as flooder:
        answers = [await flooder.post("/api/users/signin", json=BODY) for _ in range(4)]
        async with client_from("10.0.0.2") as other:
            elsewhere = await other.post("/api/users/signin", json=BODY)
    assert [a.status_code for a in answers] == [400, 400, 400, 429]
    refused = answers[-1]
    assert 55 <= int(refused.headers["retry-after"]) <= 60
    [error] = refused.json()["errors"]
    assert error["message"].startswith("Too many attempts from your address; try again in")
    assert elsewhere.status_code == 400


async def test_an_account_is_rationed_across_addresses(settings: Settings) -> None:
    rationed = _rationed(settings, signin_rate_per_account=Rate.parse("2/minute"))
    async with _clients(rationed) as client_from:
        statuses = []
        for n in range(3):
            async with client_from(f"10.0.1.{n}") as guesser:
                statuses.append((await guesser.post("/api/users/signin", json=BODY)).status_code)
        async with client_from("10.0.1.9") as other:
            other_account = await other.post(
                "/api/users/signin", json={**BODY, "email": "someone@example.com"}
            )
    assert statuses == [400, 400, 429]
    assert other_account.status_code == 400


async def test_a_burst_of_sign_ups_from_one_address_waits_its_turn_and_succeeds(
    settings: Settings,
) -> None:
    rationed = _rationed(settings, password_hash_workers=1, password_hash_queue=64)
    async with _clients(rationed) as client_from, client_from("10.0.2.1") as office:
        answers = await asyncio.gather(
            *(
                office.post(
                    "/api/users/signup", json={"email": f"u{n}@example.com", "password": "pw1234"}
                )
                for n in range(20)
            )
        )
    assert [answer.status_code for answer in answers] == [201] * 20


async def test_a_flood_on_one_account_gets_one_attempt_at_a_time(settings: Settings) -> None:
    async with _clients(_rationed(settings, signin_at_once_per_account=1)) as client_from:

        async def guess(n: int) -> httpx.Response:
            async with client_from(f"10.0.4.{n}") as guesser:
                return await guesser.post("/api/users/signin", json=BODY)

        answers = await asyncio.gather(*(guess(n) for n in range(20)))
    counts = Counter(answer.status_code for answer in answers)
    assert counts[429] >= 15
    assert set(counts) <= {400, 429}
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert refused.json()["errors"][0]["message"] == "Too many attempts at once on this account"


async def test_a_full_hashing_queue_refuses_the_excess_at_once_with_503(
    settings: Settings,
) -> None:
    rationed = _rationed(settings, password_hash_workers=1, password_hash_queue=0)
    async with _clients(rationed) as client_from:

        async def sign_up(n: int) -> httpx.Response:
            async with client_from(f"10.0.3.{n}") as visitor:
                body = {"email": f"new{n}@example.com", "password": "secret-pass"}
                return await visitor.post("/api/users/signup", json=body)

        answers = await asyncio.gather(*(sign_up(n) for n in range(12)))
    counts = Counter(answer.status_code for answer in answers)
    assert counts[201] >= 1
    assert counts[503] >= 1
    assert set(counts) <= {201, 503}
    busy = next(answer for answer in answers if answer.status_code == 503)
    assert busy.headers["retry-after"] == "1"
    assert busy.json()["errors"][0]["message"].startswith("Signing in is busy right now")


async def test_a_flood_from_one_address_cannot_keep_another_out_of_the_waiting_room(
    settings: Settings,
) -> None:
    # Hashing as slow as in production, so that the room stays full while the user comes.
    rationed = _rationed(
        settings,
        password_hash_workers=1,
        password_hash_queue=4,
        password_hash_memory_kib=65536,
        password_hash_time_cost=3,
    )
    async with _clients(rationed) as client_from, client_from("10.0.5.1") as flooder:
        flood = [
            asyncio.ensure_future(
                flooder.post(
                    "/api/users/signup", json={"email": f"f{n}@x.io", "password": "pw1234"}
                )
            )
            for n in range(30)
        ]

        async def room_full() -> bool:
            return any(task.done() and task.result().status_code == 503 for task in flood)

        await eventually(room_full, message="the flood never filled the waiting room")
        async with client_from("10.0.5.2") as user:
            mine = await user.post(
                "/api/users/signup", json={"email": "me@x.io", "password": "pw1234"}
            )
        flooded = await asyncio.gather(*flood)
    assert mine.status_code == 201
    statuses = Counter(answer.status_code for answer in flooded)
    assert statuses[429] == 1  # the flood's last waiting request gave its place
    assert statuses[503] > 0
