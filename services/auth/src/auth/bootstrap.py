"""Wires the auth service: its database, the password hasher, the throttle and the sessions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from auth.config import Settings
from auth.passwords import Passwords
from auth.throttle import Throttle
from ticketing_common.bus import Bus
from ticketing_common.db import open_migrated_pool
from ticketing_common.health import ReadinessCheck
from ticketing_common.revocations import RevokedSessions
from ticketing_common.runtime import connect_bus
from ticketing_common.unit_of_work import Database

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Auth:
    """The running auth service."""

    settings: Settings
    db: Database
    bus: Bus
    revoked_sessions: RevokedSessions
    passwords: Passwords
    throttle: Throttle

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        return {
            "database": self.db.ready,
            "bus": self.bus.ready,
            "sessions": self.revoked_sessions.ready,
        }

    async def stop(self) -> None:
        self.passwords.close()
        await self.revoked_sessions.stop()
        await self.bus.close()
        await self.db.pool.close()


async def bootstrap(settings: Settings) -> Auth:
    """Connect and migrate the users database, follow signed-out sessions, start hashing."""
    pool = await open_migrated_pool(settings.database_url, MIGRATIONS)
    try:
        bus, revoked = await connect_bus(settings, "auth")
    except BaseException:
        await pool.close()
        raise
    passwords = Passwords(
        workers=settings.password_hash_workers,
        memory_kib=settings.password_hash_memory_kib,
        time_cost=settings.password_hash_time_cost,
    )
    throttle = Throttle(settings.throttle)
    return Auth(settings, Database(pool, "auth"), bus, revoked, passwords, throttle)
