"""Sign-in use case on the real database: unknown emails cost a password check too."""

from __future__ import annotations

import argon2
import asyncpg
import pytest

from auth import handlers
from auth.passwords import Passwords
from ticketing_common.errors import BadRequest
from ticketing_common.unit_of_work import Database


class CountingPasswords(Passwords):
    """Counts password checks."""

    def __init__(self) -> None:
        super().__init__(workers=1)
        self.verifications = 0

    async def verify(self, password_hash: str | None, password: str) -> bool:
        self.verifications += 1
        return await super().verify(password_hash, password)


async def test_unknown_email_still_verifies_a_password(pool: asyncpg.Pool) -> None:
    passwords = CountingPasswords()
    try:
        with pytest.raises(BadRequest, match=r"^Invalid credentials$"):
            await handlers.sign_in(Database(pool, "auth"), passwords, "nobody@x.io", "secret")
    finally:
        passwords.close()
    assert passwords.verifications == 1


async def test_weak_hash_is_replaced_at_sign_in(pool: asyncpg.Pool) -> None:
    passwords = Passwords(workers=1)
    try:
        weak = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("secret")
        await pool.execute(
            "INSERT INTO users (id, email, password_hash) VALUES (gen_random_uuid(), $1, $2)",
            "old@x.io",
            weak,
        )
        await handlers.sign_in(Database(pool, "auth"), passwords, "old@x.io", "secret")
    finally:
        passwords.close()
    stored = await pool.fetchval("SELECT password_hash FROM users WHERE email = 'old@x.io'")
    assert stored != weak
    assert not passwords.needs_rehash(stored)
