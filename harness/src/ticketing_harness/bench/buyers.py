"""Buyers for the benchmarks: signed-in HTTP clients, each connecting from its own address.

Sessions are signed with the stack's own key (as auth would sign them), so a benchmark of
reservations measures reservations, not password hashing. Each buyer connects from an
address of its own in 127.0.0.0/8, as buyers on different machines would: the gateway's
per-address limits see a crowd, not one greedy client.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from ticketing_common.auth import SESSION_COOKIE, AuthConfig, new_claims, sign_session

# An answer not received within this long counts as a timeout, as in `ticketing load`.
ANSWER_TIMEOUT_SECONDS = 30.0
DROPPED = "dropped"
TIMEOUT = "timeout"


@dataclass(frozen=True)
class Reply:
    """What one request got: an HTTP status (or `dropped`/`timeout`) and how long it took."""

    outcome: str
    seconds: float
    body: Any = None

    @property
    def answered(self) -> bool:
        return self.outcome not in (DROPPED, TIMEOUT)


def session_cookie(jwt_key: str) -> str:
    """A new user's session token, signed with the stack's key."""
    config = AuthConfig(jwt_key=jwt_key, ttl_seconds=3600, secure_cookie=False)
    user_id = str(uuid.uuid4())
    claims = new_claims(user_id=user_id, email=f"bench-{user_id[:8]}@example.com", config=config)
    return sign_session(claims, config)


def address(index: int) -> str:
    """The loopback address of the `index`-th buyer: 127.1.0.1, 127.1.0.2, ..."""
    index += 1
    return f"127.{1 + index // 65_025}.{index // 255 % 255}.{1 + index % 255}"


class Buyer:
    """One signed-in user with one connection (kept alive) from an address of its own."""

    def __init__(self, base_url: str, jwt_key: str, index: int) -> None:
        self.base_url = base_url
        connector = aiohttp.TCPConnector(limit=1, local_addr=(address(index), 0))
        self.http = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=ANSWER_TIMEOUT_SECONDS),
            headers={"Cookie": f"{SESSION_COOKIE}={session_cookie(jwt_key)}"},
        )

    async def post(self, path: str, body: dict[str, Any]) -> Reply:
        """POST JSON and time the answer; a lost connection or a timeout is a reply too."""
        started = time.perf_counter()
        try:
            async with self.http.post(self.base_url + path, json=body) as response:
                payload = await response.json(content_type=None)
                outcome = str(response.status)
        except TimeoutError:
            return Reply(TIMEOUT, time.perf_counter() - started)
        except aiohttp.ClientError:
            return Reply(DROPPED, time.perf_counter() - started)
        return Reply(outcome, time.perf_counter() - started, payload)

    async def close(self) -> None:
        await self.http.close()


class Crowd:
    """`size` buyers, opened together and closed together."""

    def __init__(self, base_url: str, jwt_key: str, size: int) -> None:
        self.buyers = [Buyer(base_url, jwt_key, index) for index in range(size)]

    async def __aenter__(self) -> Sequence[Buyer]:
        return self.buyers

    async def __aexit__(self, *_: object) -> None:
        await asyncio.gather(*(buyer.close() for buyer in self.buyers))
