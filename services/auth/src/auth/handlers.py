"""Use cases of the auth service: sign up, sign in and sign out."""

from __future__ import annotations

import nats.errors

from auth import repository
from auth.domain import User
from auth.passwords import Passwords
from ticketing_common.auth import UserClaims
from ticketing_common.errors import BadRequest, ServiceBusy
from ticketing_common.revocations import RevokedSessions
from ticketing_common.unit_of_work import Database


async def sign_up(db: Database, passwords: Passwords, email: str, password: str) -> User:
    """Create the account; an email already taken (in any letter case) is refused."""
    password_hash = await passwords.hash(password)
    async with db.pool.acquire() as conn:
        user = await repository.add_user(conn, email, password_hash)
    if user is None:
        raise BadRequest("Email in use")
    return user


async def sign_in(db: Database, passwords: Passwords, email: str, password: str) -> User:
    """The user whose password matches; unknown email and wrong password fail alike."""
    async with db.pool.acquire() as conn:
        user = await repository.user_by_email(conn, email)
    # Verified even for an unknown email, so the answer's timing does not tell them apart.
    matches = await passwords.verify(None if user is None else user.password_hash, password)
    if user is None or not matches:
        raise BadRequest("Invalid credentials")
    if passwords.needs_rehash(user.password_hash):
        async with db.pool.acquire() as conn:
            await repository.replace_password_hash(conn, user.id, await passwords.hash(password))
    return user


async def sign_out(revoked: RevokedSessions, session: UserClaims) -> None:
    """End the session in every service; refused (503) while it cannot be recorded."""
    try:
        await revoked.revoke(session)
    except nats.errors.Error as exc:
        raise ServiceBusy(
            "Could not sign out right now; try again in a moment", retry_after=1
        ) from exc
