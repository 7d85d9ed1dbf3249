"""Waiting for a component just started to serve: its probe answers, or it dies, or time is up."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from ticketing_harness.errors import HarnessError
from ticketing_harness.servers.lifecycle import ProcessRecord, log_tail

Probe = Callable[[httpx.AsyncClient], Awaitable[bool]]


class StartFailed(HarnessError):
    """A component did not become ready; the message names it and shows its log."""


async def until_ready(
    name: str,
    record: ProcessRecord,
    log: Path,
    probe: Probe,
    timeout: float,
    exit_code: Callable[[], int | None],
) -> None:
    """Return once `probe` holds; raise StartFailed when the process ends first or time is up.

    `exit_code` says how it ended (it may block a moment while the status arrives).
    """
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2.0) as client:
        while not await probe(client):
            if not record.alive():
                code = await asyncio.to_thread(exit_code)
                how = "exited" if code is None else f"exited with code {code}"
                raise StartFailed(
                    f"{name} {how} while starting. Last lines of {log}:\n{log_tail(log)}"
                )
            if time.monotonic() > deadline:
                raise StartFailed(
                    f"{name} was not ready within {timeout:.0f}s. "
                    f"Last lines of {log}:\n{log_tail(log)}"
                )
            await asyncio.sleep(0.05)


def answers_ok(url: str) -> Probe:
    """GET `url` answers 200 (a service's /readyz)."""

    async def probe(client: httpx.AsyncClient) -> bool:
        try:
            return (await client.get(url)).status_code == 200
        except httpx.TransportError:
            return False

    return probe


def answers_at_all(url: str) -> Probe:
    """GET `url` gets an answer, whatever it is (nginx, whose upstreams may still be starting)."""

    async def probe(client: httpx.AsyncClient) -> bool:
        try:
            await client.get(url, timeout=0.5)
        except httpx.TransportError:
            return False
        return True

    return probe
