"""Visitors of the session's stack, as browsers without JavaScript."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from ticketing_harness.testing.forms import submit
from ticketing_harness.testing.stacks import RunningStack, browser, unique

from .support import PASSWORD


@pytest.fixture
async def visitor(stack: RunningStack) -> AsyncIterator[httpx.AsyncClient]:
    """A browser without JavaScript: it keeps cookies and follows redirects."""
    async with browser(stack.url, follow_redirects=True) as client:
        yield client


@pytest.fixture
async def member(visitor: httpx.AsyncClient) -> httpx.AsyncClient:
    """A visitor who signed up through the form."""
    email = f"{unique('member')}@example.com"
    page = await submit(visitor, "/auth/signup", email=email, password=PASSWORD)
    assert f"Signed in as {email}" in page.text
    return visitor
