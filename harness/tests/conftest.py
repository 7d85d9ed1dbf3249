"""Fixtures for the harness tests: a private state directory; users of the session's stack."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from ticketing_harness.testing.stacks import RunningStack, make_state_dir, signed_up


@pytest.fixture
def state_dir() -> Iterator[Path]:
    path = make_state_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
async def seller(stack: RunningStack) -> AsyncIterator[httpx.AsyncClient]:
    async with signed_up(stack.url) as client:
        yield client


@pytest.fixture
async def buyer(stack: RunningStack) -> AsyncIterator[httpx.AsyncClient]:
    async with signed_up(stack.url) as client:
        yield client
