"""Argon2id password hashes, computed off the event loop by a bounded pool of threads."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import argon2

T = TypeVar("T")


class Passwords:
    """Hashes and verifies passwords with argon2id (by default RFC 9106's low-memory profile)."""

    def __init__(
        self,
        *,
        workers: int,
        memory_kib: int = argon2.DEFAULT_MEMORY_COST,
        time_cost: int = argon2.DEFAULT_TIME_COST,
    ) -> None:
        self._argon2 = argon2.PasswordHasher(memory_cost=memory_kib, time_cost=time_cost)
        # Each hash holds 64 MiB while it runs: the pool bounds memory under a sign-up burst.
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2")
        self._dummy_hash = self._argon2.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        """A salted argon2id hash of the password."""
        return await self._run(self._argon2.hash, _encoded(password))

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether the password matches; with no hash (unknown user), as slow as a real check."""
        matches = await self._run(self._matches, password_hash or self._dummy_hash, password)
        return matches and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with weaker parameters than today's."""
        return self._argon2.check_needs_rehash(password_hash)

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    def _matches(self, password_hash: str, password: str) -> bool:
        # argon2 compares digests in constant time.
        try:
            return self._argon2.verify(password_hash, _encoded(password))
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False

    async def _run(self, function: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)


def _encoded(password: str) -> bytes:
    # JSON can carry lone surrogates; they hash like any other code point instead of failing.
    return password.encode("utf-8", "surrogatepass")
