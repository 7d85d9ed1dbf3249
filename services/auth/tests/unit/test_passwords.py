"""Password hashes: argon2id, salted, checked in constant time, as slow for unknown users."""

from __future__ import annotations

from collections.abc import Iterator

import argon2
import pytest

from auth.passwords import Passwords


class RecordingPasswords(Passwords):
    """Remembers which hashes were checked."""

    def __init__(self) -> None:
        super().__init__(workers=1)
        self.checked: list[str] = []

    def _matches(self, password_hash: str, password: str) -> bool:
        self.checked.append(password_hash)
        return super()._matches(password_hash, password)


@pytest.fixture
def passwords() -> Iterator[RecordingPasswords]:
    passwords = RecordingPasswords()
    yield passwords
    passwords.close()


async def test_hash_is_salted_argon2id_with_rfc_9106_cost_by_default(
    passwords: RecordingPasswords,
) -> None:
    first, second = await passwords.hash("secret"), await passwords.hash("secret")
    assert first.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert first != second


async def test_cost_is_configurable() -> None:
    passwords = Passwords(workers=1, memory_kib=1024, time_cost=1)
    try:
        assert (await passwords.hash("secret")).startswith("$argon2id$v=19$m=1024,t=1,p=4$")
    finally:
        passwords.close()


async def test_only_the_right_password_verifies(passwords: RecordingPasswords) -> None:
    stored = await passwords.hash("secret")
    assert await passwords.verify(stored, "secret")
    assert not await passwords.verify(stored, "Secret")


async def test_unknown_user_is_checked_against_an_equally_costly_hash(
    passwords: RecordingPasswords,
) -> None:
    real = await passwords.hash("secret")
    assert not await passwords.verify(None, "secret")
    (dummy,) = passwords.checked
    # Same algorithm and cost parameters: the check takes as long as a real one.
    assert dummy.rsplit("$", 2)[0] == real.rsplit("$", 2)[0]


async def test_corrupt_stored_hash_never_verifies(passwords: RecordingPasswords) -> None:
    assert not await passwords.verify("not-a-hash", "secret")


async def test_lone_surrogates_hash_and_verify_like_any_text(
    passwords: RecordingPasswords,
) -> None:
    stored = await passwords.hash("ab\ud800cd")
    assert await passwords.verify(stored, "ab\ud800cd")


async def test_only_a_hash_weaker_than_today_needs_rehash(passwords: RecordingPasswords) -> None:
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("secret")
    assert passwords.needs_rehash(weak)
    assert not passwords.needs_rehash(await passwords.hash("secret"))
