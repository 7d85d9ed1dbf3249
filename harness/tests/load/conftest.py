"""A stack of the load tests' own: cheap password hashing, so hundreds of buyers sign up fast."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ticketing_harness.testing.stacks import RunningStack, start_stack, stop_stack

# Development-only argon2 costs: sign-ups are the load's preparation, not what it measures.
CHEAP_HASHING = {"PASSWORD_HASH_MEMORY_KIB": "1024", "PASSWORD_HASH_TIME_COST": "1"}


@pytest.fixture(scope="session")
def load_stack() -> Iterator[RunningStack]:
    """Shared by the load tests, which all run in one xdist group (`load-stack`)."""
    running = start_stack(env=CHEAP_HASHING)
    yield running
    stop_stack(running)
