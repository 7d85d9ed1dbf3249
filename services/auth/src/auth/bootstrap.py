"""Wires the auth service: its database and the password hasher."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from auth.config import Settings
from auth.passwords import Passwords
from ticketing_common.db import open_migrated_pool
from ticketing_common.health import ReadinessCheck
from ticketing_common.unit_of_work import Database

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Auth:
    """The running auth service."""

    settings: Settings
    db: Database
    passwords: Passwords

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        return {"database": self.db.ready}

    async def stop(self) -> None:
        self.passwords.close()
        await self.db.pool.close()


async def bootstrap(settings: Settings) -> Auth:
    """Connect and migrate the users database; start the hashing threads."""
    pool = await open_migrated_pool(settings.database_url, MIGRATIONS)
    passwords = Passwords(
        workers=settings.password_hash_workers,
        memory_kib=settings.password_hash_memory_kib,
        time_cost=settings.password_hash_time_cost,
    )
    return Auth(settings, Database(pool, "auth"), passwords)
