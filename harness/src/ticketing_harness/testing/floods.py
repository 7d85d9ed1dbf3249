"""For tests: a flood of wrong-password sign-ins from other addresses, in a process of its own.

Sent from the test's own event loop, the flood would also slow the very request the test
times. `sign_in_flood` runs it in a child process instead:

    async with sign_in_flood(stack.url, email=victim, requests=150) as flood:
        ...                                   # the flood is under way: time a real sign-in
    flood.statuses                            # Counter of the flood's answers
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from ticketing_harness.testing.stacks import loopback_address

UNDER_WAY = "under way"


@dataclass
class Flood:
    """What a flood got back: the count of each status, and one refusal (429) as answered."""

    statuses: Counter[int] = field(default_factory=Counter)
    refusal: dict[str, Any] = field(default_factory=dict)


@asynccontextmanager
async def sign_in_flood(
    url: str, *, email: str, requests: int, addresses: int = 3
) -> AsyncIterator[Flood]:
    """Send `requests` wrong-password sign-ins on `email` at once, from `addresses` addresses.

    The block runs once the gateway has answered the first of them; leaving it waits for
    the rest and fills in the flood's results.
    """
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        __name__,
        url,
        email,
        str(requests),
        str(addresses),
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None
    try:
        first = await asyncio.wait_for(child.stdout.readline(), timeout=60)
        if first.decode().strip() != UNDER_WAY:
            raise AssertionError(f"the flood did not start: {first!r}")
        flood = Flood()
        yield flood
        result = json.loads(await asyncio.wait_for(child.stdout.readline(), timeout=120))
        flood.statuses.update({int(status): n for status, n in result["statuses"].items()})
        flood.refusal.update(result["refusal"])
    finally:
        if child.returncode is None:
            child.kill()
        await child.wait()


async def _flood(url: str, email: str, requests: int, addresses: int) -> None:
    clients = [
        httpx.AsyncClient(
            base_url=url,
            timeout=60,
            transport=httpx.AsyncHTTPTransport(local_address=loopback_address()),
            limits=httpx.Limits(max_connections=requests),
        )
        for _ in range(addresses)
    ]
    announced = False

    async def attempt(client: httpx.AsyncClient) -> httpx.Response:
        nonlocal announced
        answer = await client.post("/api/users/signin", json={"email": email, "password": "x!"})
        if not announced:
            announced = True
            print(UNDER_WAY, flush=True)
        return answer

    try:
        answers = await asyncio.gather(*(attempt(clients[n % addresses]) for n in range(requests)))
    finally:
        for client in clients:
            await client.aclose()
    refused = next((a for a in answers if a.status_code == 429), None)
    refusal = {}
    if refused is not None:
        refusal = {"retry_after": refused.headers.get("retry-after"), "body": refused.json()}
    statuses = Counter(str(answer.status_code) for answer in answers)
    print(json.dumps({"statuses": statuses, "refusal": refusal}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("email")
    parser.add_argument("requests", type=int)
    parser.add_argument("addresses", type=int)
    args = parser.parse_args()
    asyncio.run(_flood(args.url, args.email, args.requests, args.addresses))


if __name__ == "__main__":
    main()
