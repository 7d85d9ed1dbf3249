"""SQL for users (asyncpg)."""

from __future__ import annotations

from uuid import UUID, uuid4

from auth.domain import User
from ticketing_common.db import Connection


async def add_user(conn: Connection, email: str, password_hash: str) -> User | None:
    """Insert a user; None when the email is taken (the unique index decides races)."""
    user_id = await conn.fetchval(
        "INSERT INTO users (id, email, password_hash) VALUES ($1, $2, $3)"
        " ON CONFLICT (email) DO NOTHING RETURNING id",
        uuid4(),
        email,
        password_hash,
    )
    return None if user_id is None else User(user_id, email, password_hash)


async def user_by_email(conn: Connection, email: str) -> User | None:
    """The user with this normalized email, if any."""
    row = await conn.fetchrow("SELECT id, email, password_hash FROM users WHERE email = $1", email)
    return None if row is None else User(row["id"], row["email"], row["password_hash"])


async def replace_password_hash(conn: Connection, user_id: UUID, password_hash: str) -> None:
    """Store a hash made with stronger parameters."""
    await conn.execute("UPDATE users SET password_hash = $2 WHERE id = $1", user_id, password_hash)
