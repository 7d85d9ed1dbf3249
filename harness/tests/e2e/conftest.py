"""Signed-up users of the session's stack (the `stack` fixture of the pytest plugin)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from ticketing_harness.testing.stacks import RunningStack, signed_up


@pytest.fixture
async def seller(stack: RunningStack) -> AsyncIterator[httpx.AsyncClient]:
    async with signed_up(stack.url) as client:
        yield client


@pytest.fixture
async def buyer(stack: RunningStack) -> AsyncIterator[httpx.AsyncClient]:
    async with signed_up(stack.url) as client:
        yield client
