"""Signed-out sessions reach every copy of the revocation list through the JetStream bucket."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import nats.errors
import pytest

from ticketing_common.auth import AuthConfig, new_claims
from ticketing_common.bus import Bus
from ticketing_common.revocations import RevokedSessions
from ticketing_harness.servers import NatsServer
from ticketing_harness.waiting import eventually

CONFIG = AuthConfig(jwt_key="k" * 32, ttl_seconds=3600, secure_cookie=True)


async def _copy(url: str) -> AsyncIterator[RevokedSessions]:
    bus = await Bus.connect(url, name="test")
    revoked = await RevokedSessions.start(bus, ttl_seconds=CONFIG.ttl_seconds)
    try:
        yield revoked
    finally:
        await revoked.stop()
        await bus.close()


@pytest.fixture
async def auth_copy(nats_url: str) -> AsyncIterator[RevokedSessions]:
    async for revoked in _copy(nats_url):
        yield revoked


@pytest.fixture
async def service_copy(nats_url: str, auth_copy: RevokedSessions) -> AsyncIterator[RevokedSessions]:
    async for revoked in _copy(nats_url):
        yield revoked


async def test_sign_out_returns_once_its_own_copy_has_the_revocation(
    auth_copy: RevokedSessions,
) -> None:
    session = new_claims(user_id="u1", email="a@example.com", config=CONFIG)
    assert not auth_copy.is_revoked(session.jti)
    await auth_copy.revoke(session)
    assert auth_copy.is_revoked(session.jti)


async def test_a_revocation_reaches_every_other_copy(
    auth_copy: RevokedSessions, service_copy: RevokedSessions
) -> None:
    session = new_claims(user_id="u1", email="a@example.com", config=CONFIG)
    other = new_claims(user_id="u1", email="a@example.com", config=CONFIG)
    started = time.monotonic()
    await auth_copy.revoke(session)

    async def reached() -> bool:
        return service_copy.is_revoked(session.jti)

    await eventually(reached, timeout=2, message="the revocation never reached the service")
    print(f"revocation reached another copy {1000 * (time.monotonic() - started):.1f} ms after")
    assert not service_copy.is_revoked(other.jti)


async def test_a_copy_started_later_loads_earlier_revocations_before_it_serves(
    nats_url: str, auth_copy: RevokedSessions
) -> None:
    sessions = [new_claims(user_id=f"u{n}", email="a@example.com", config=CONFIG) for n in range(5)]
    for session in sessions:
        await auth_copy.revoke(session)
    async for late in _copy(nats_url):
        assert all(late.is_revoked(session.jti) for session in sessions)
        assert await late.ready()


async def test_a_stopped_copy_is_not_ready(nats_url: str) -> None:
    async for revoked in _copy(nats_url):
        await revoked.stop()
        assert not await revoked.ready()


async def test_a_revocation_that_cannot_be_stored_raises(
    private_nats_server: NatsServer,
) -> None:
    async for revoked in _copy(private_nats_server.url):
        private_nats_server.stop()
        with pytest.raises(nats.errors.Error):
            await revoked.revoke(new_claims(user_id="u1", email="a@example.com", config=CONFIG))
