"""Sessions that end: signed-out sessions, in a JetStream key-value bucket every service watches.

Signing out puts the session's id (the token's `jti`) into the bucket `revoked-sessions`,
valued with the token's expiry. Every service that reads sessions keeps a copy of the
bucket in memory, loaded before it serves and kept current by a watch that JetStream
pushes each new entry to, and refuses a session whose id is in it:

    revoked = await RevokedSessions.start(bus, ttl_seconds=settings.session_ttl_seconds)
    revoked.is_revoked(claims.jti)          # no I/O: the local copy
    await revoked.revoke(claims)            # auth, at sign-out

Entries expire with the bucket's max age, the sessions' lifetime: by then the token has
expired too. See docs/sessions.md for what reaches a service, and how fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from typing import TYPE_CHECKING, Any, cast

from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError
from nats.js.kv import KV_DEL, KV_PURGE, KeyValue

from ticketing_common.tasks import cancel_until_done

if TYPE_CHECKING:
    from ticketing_common.auth import UserClaims
    from ticketing_common.bus import Bus

log = logging.getLogger(__name__)

BUCKET = "revoked-sessions"
# How long sign-out waits for its own copy to show the revocation: the push every copy gets.
SEEN_TIMEOUT_SECONDS = 2.0


class RevokedSessions:
    """This process's copy of the revocation list, kept current by a watch on the bucket."""

    def __init__(self, kv: KeyValue) -> None:
        self._kv = kv
        self._expiries: dict[str, float] = {}
        self._loaded = asyncio.Event()
        self._revision = 0
        self._progress = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._pruned_at = time.time()

    @classmethod
    async def start(cls, bus: Bus, *, ttl_seconds: int) -> RevokedSessions:
        """Open (or create) the bucket, load every entry, then follow new ones."""
        try:
            kv = await bus.js.key_value(BUCKET)
        except BucketNotFoundError:
            kv = await bus.js.create_key_value(
                KeyValueConfig(bucket=BUCKET, ttl=float(ttl_seconds), storage=StorageType.FILE)
            )
        revoked = cls(kv)
        watcher = await kv.watchall()
        revoked._task = asyncio.create_task(revoked._follow(watcher), name="revoked-sessions")
        await revoked._loaded.wait()
        return revoked

    def is_revoked(self, session_id: str) -> bool:
        """Whether the session was signed out (according to this process's copy)."""
        return session_id in self._expiries

    async def revoke(self, claims: UserClaims) -> None:
        """End a session everywhere: store its id, then wait until this copy has it too.

        Raises whatever the bus raises when the revocation cannot be stored.
        """
        revision = await self._kv.put(claims.jti, str(claims.exp).encode())
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SEEN_TIMEOUT_SECONDS), self._progress:
                await self._progress.wait_for(lambda: self._revision >= revision)

    async def ready(self) -> bool:
        """Readiness: the copy is loaded and still followed."""
        return self._loaded.is_set() and self._task is not None and not self._task.done()

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_until_done([self._task])

    async def _follow(self, watcher: KeyValue.KeyWatcher) -> None:
        try:
            async for entry in watcher:
                if entry is None:  # the entries stored before the watch began are all in
                    self._loaded.set()
                    continue
                self._apply(entry.key, entry.value, entry.operation)
                async with self._progress:
                    self._revision = max(self._revision, entry.revision or 0)
                    self._progress.notify_all()
        finally:
            with contextlib.suppress(Exception):
                await cast("Any", watcher).stop()  # untyped in nats-py

    def _apply(self, key: str, value: bytes | None, operation: str | None) -> None:
        if operation in (KV_DEL, KV_PURGE):
            self._expiries.pop(key, None)
            return
        self._expiries[key] = _expiry(value)
        self._forget_expired()

    def _forget_expired(self) -> None:
        """Drop sessions whose tokens expired anyway, once a minute at most."""
        now = time.time()
        if now - self._pruned_at < 60:
            return
        self._pruned_at = now
        expired = [key for key, expiry in self._expiries.items() if expiry < now]
        for key in expired:
            del self._expiries[key]


def _expiry(value: bytes | None) -> float:
    """The token expiry stored with a revocation; unreadable, it stays revoked."""
    try:
        return float(value or b"")
    except ValueError:
        return math.inf
