"""A running `ticketing up --detach` stack for the end-to-end tests, started once per session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from ticketing_harness.testing.stacks import RunningStack, signed_up, start_stack, stop_stack


@pytest.fixture(scope="session")
def stack() -> Iterator[RunningStack]:
    running = start_stack()
    yield running
    stop_stack(running)


@pytest.fixture
async def seller(stack: RunningStack) -> AsyncIterator[httpx.AsyncClient]:
    async with signed_up(stack.url) as client:
        yield client


@pytest.fixture
async def buyer(stack: RunningStack) -> AsyncIterator[httpx.AsyncClient]:
    async with signed_up(stack.url) as client:
        yield client
