"""`ticketing up` gives every server generated credentials and each service a role of its own."""

from __future__ import annotations

import asyncpg
import pytest

from ticketing_common.bus import Bus
from ticketing_harness.components import DATABASES
from ticketing_harness.testing.stacks import RunningStack

pytestmark = [pytest.mark.xdist_group("stack"), pytest.mark.timeout(300)]


async def test_each_service_signs_in_to_its_own_database_as_its_own_role(
    stack: RunningStack,
) -> None:
    details = stack.access()
    for service in DATABASES:
        connection = await asyncpg.connect(details.database_url(service))
        try:
            assert await connection.fetchval("SELECT current_user") == service
        finally:
            await connection.close()


async def test_a_service_role_cannot_reach_another_services_database(stack: RunningStack) -> None:
    orders_reaching_auth = stack.access().database_url("orders").rsplit("/", 1)[0] + "/auth"
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await asyncpg.connect(orders_reaching_auth)


async def test_the_bus_and_redis_answer_with_the_generated_credentials(
    stack: RunningStack,
) -> None:
    details = stack.access()
    assert details.nats().startswith("nats://ticketing:")
    assert details.redis().startswith("redis://:")
    bus = await Bus.connect(details.nats(), name="test", timeout=5)
    try:
        assert bus.is_connected
    finally:
        await bus.close()
