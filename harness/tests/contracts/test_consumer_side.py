"""Consumer side: every listener of every service, fed through its real consumer on a real
database, the examples of its contract, generated valid instances, instances carrying unknown
fields, and every older major version still declared. Each ends in ack, nak or dead letter,
never an unhandled error, and a valid one (its preconditions arranged) has its effect.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from arq import create_pool
from arq.connections import RedisSettings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import expiration.listeners
import orders.bootstrap
import orders.listeners
import payments.bootstrap
import payments.listeners
import tickets.bootstrap
import tickets.listeners
from expiration.jobs import QUEUE
from payments.stripe_gateway import StripeGateway
from ticketing_common.bus import Bus
from ticketing_common.contracts import EventContract, load_catalog
from ticketing_common.db import open_migrated_pool
from ticketing_common.listeners import Consumer, Listener, Verdict
from ticketing_common.unit_of_work import Database
from ticketing_harness.contracts.agreement import inspect_code
from ticketing_harness.testing.pytest_plugin import DatabaseFactory
from ticketing_harness.testing.schema_strategies import from_schema
from tickets.config import Settings as TicketsSettings

pytestmark = [pytest.mark.contract, pytest.mark.timeout(300)]

CATALOG = load_catalog()
GENERATED = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
Data = dict[str, Any]


@dataclass
class Scenario:
    """How to make one listener's event applicable, and what applying it changes."""

    service: str
    arrange: Callable[[asyncpg.Pool, Data], Awaitable[None]]
    effect: Callable[[Any, Data], Awaitable[bool]]
    # Generated instances that could never apply, e.g. an update at version 0.
    applicable: Callable[[Data], bool] = lambda data: True


async def _nothing(pool: asyncpg.Pool, data: Data) -> None:
    pass


def _ticket(*, held: bool) -> Callable[[asyncpg.Pool, Data], Awaitable[None]]:
    """The order's ticket, for sale or held by the order, and the order not yet ended."""

    async def arrange(pool: asyncpg.Pool, data: Data) -> None:
        order_id = uuid.UUID(data["id"])
        await pool.execute(
            "INSERT INTO tickets (id, title, price, user_id, order_id)"
            " VALUES ($1, 'Gig', 5, $2, $3) ON CONFLICT (id) DO UPDATE SET order_id = $3",
            uuid.UUID(data["ticket"]["id"]),
            uuid.uuid4(),
            order_id if held else None,
        )
        await pool.execute("DELETE FROM ended_orders WHERE order_id = $1", order_id)

    return arrange


async def _ticket_holder(pool: asyncpg.Pool, data: Data) -> Any:
    return await pool.fetchval(
        "SELECT order_id FROM tickets WHERE id = $1", uuid.UUID(data["ticket"]["id"])
    )


async def _no_replica(pool: asyncpg.Pool, data: Data) -> None:
    await pool.execute("DELETE FROM tickets WHERE id = $1", uuid.UUID(data["id"]))


async def _replica_before(pool: asyncpg.Pool, data: Data) -> None:
    await pool.execute(
        "INSERT INTO tickets (id, title, price, version) VALUES ($1, 'Gig', 5, $2)"
        " ON CONFLICT (id) DO UPDATE SET version = $2",
        uuid.UUID(data["id"]),
        data["version"] - 1,
    )


async def _replica_is(pool: asyncpg.Pool, data: Data) -> bool:
    row = await pool.fetchrow("SELECT * FROM tickets WHERE id = $1", uuid.UUID(data["id"]))
    return row is not None and (row["version"], row["title"]) == (data["version"], data["title"])


async def _open_order(pool: asyncpg.Pool, data: Data) -> None:
    order_id, ticket_id = uuid.UUID(data["orderId"]), uuid.uuid4()
    await pool.execute(
        "INSERT INTO tickets (id, title, price, version) VALUES ($1, 'Gig', 5, 0)", ticket_id
    )
    await pool.execute(
        "INSERT INTO orders (id, user_id, ticket_id, status, expires_at) "
        "VALUES ($1, $2, $3, 'created', now()) "
        "ON CONFLICT (id) DO UPDATE SET status = 'created', version = 0",
        order_id,
        uuid.uuid4(),
        ticket_id,
    )


def _order_status(key: str, status: str) -> Callable[[Any, Data], Awaitable[bool]]:
    async def effect(pool: Any, data: Data) -> bool:
        found = await pool.fetchval("SELECT status FROM orders WHERE id = $1", uuid.UUID(data[key]))
        return bool(found == status)

    return effect


async def _payments_replica_before(pool: asyncpg.Pool, data: Data) -> None:
    await pool.execute(
        "INSERT INTO orders (id, version, user_id, price, status) VALUES ($1, $2, $3, 5, 'created')"
        " ON CONFLICT (id) DO UPDATE SET version = $2, status = 'created'",
        uuid.UUID(data["id"]),
        data["version"] - 1,
        uuid.uuid4(),
    )


async def _job_scheduled(redis: Any, data: Data) -> bool:
    return bool(await redis.zscore(QUEUE, str(uuid.UUID(data["id"]))) is not None)


async def _ticket_free(pool: Any, data: Data) -> bool:
    return await _ticket_holder(pool, data) is None


async def _ticket_held_by_order(pool: Any, data: Data) -> bool:
    return bool(await _ticket_holder(pool, data) == uuid.UUID(data["id"]))


async def _ticket_sold(pool: Any, data: Data) -> bool:
    order_id = uuid.UUID(data["id"])
    sold = "SELECT EXISTS (SELECT 1 FROM completed_orders WHERE order_id = $1)"
    return (
        bool(await pool.fetchval(sold, order_id)) and await _ticket_holder(pool, data) == order_id
    )


async def _replica_order_created(pool: Any, data: Data) -> bool:
    found = await pool.fetchval("SELECT status FROM orders WHERE id = $1", uuid.UUID(data["id"]))
    return found is not None


async def _order_refunded(pool: Any, data: Data) -> bool:
    found = await pool.fetchval(
        "SELECT refunded_at IS NOT NULL FROM orders WHERE id = $1", uuid.UUID(data["orderId"])
    )
    return bool(found)


def _not_first_version(data: Data) -> bool:
    return bool(data["version"] >= 1)


SCENARIOS = {
    "tickets-order-created": Scenario("tickets", _ticket(held=False), _ticket_held_by_order),
    "tickets-order-cancelled": Scenario("tickets", _ticket(held=True), _ticket_free),
    "tickets-order-completed": Scenario("tickets", _ticket(held=True), _ticket_sold),
    "orders-ticket-created": Scenario("orders", _no_replica, _replica_is),
    "orders-ticket-updated": Scenario("orders", _replica_before, _replica_is, _not_first_version),
    "orders-expiration-complete": Scenario(
        "orders", _open_order, _order_status("orderId", "cancelled")
    ),
    "orders-payment-created": Scenario("orders", _open_order, _order_status("orderId", "complete")),
    "orders-payment-refunded": Scenario("orders", _open_order, _order_refunded),
    "expiration-order-created": Scenario("expiration", _nothing, _job_scheduled),
    "payments-order-created": Scenario("payments", _nothing, _replica_order_created),
    "payments-order-completed": Scenario(
        "payments", _payments_replica_before, _order_status("id", "complete"), _not_first_version
    ),
    "payments-order-cancelled": Scenario(
        "payments", _payments_replica_before, _order_status("id", "cancelled"), _not_first_version
    ),
}


@dataclass
class Fed:
    """One listener, built by its service's own listener table on real servers, and the store
    its effects land in."""

    durable: str
    consumer: Consumer
    store: Any  # a pool, or Redis for expiration

    @property
    def contract(self) -> EventContract:
        return CATALOG.events[self.consumer.listener.event.event_type]

    @property
    def scenario(self) -> Scenario:
        return SCENARIOS[self.durable]

    async def outcome(self, body: Data) -> Verdict:
        result = await self.consumer.process(json.dumps(body).encode())
        assert result.verdict is not Verdict.FAILED, f"{self.durable}: unhandled: {result.reason}"
        return result.verdict

    async def applies(self, version: int, data: Data, *, unknown_fields: bool = False) -> None:
        """Arrange, feed, and if the event can apply, check it did and had its effect."""
        applicable = self.scenario.applicable(data)
        if applicable:
            await self.scenario.arrange(self.store, data)
        body = _envelope(self.contract, version, data)
        verdict = await self.outcome(_with_unknown_fields(body) if unknown_fields else body)
        if applicable:
            assert verdict is Verdict.APPLIED, f"{self.durable} did not apply {data}"
            assert await self.scenario.effect(self.store, data), f"no effect of {data}"


@pytest.fixture
async def fed(
    request: pytest.FixtureRequest,
    database_factory: DatabaseFactory,
    bus: Bus,
    redis_url: str,
    stripe_api_base: str,
) -> AsyncIterator[Fed]:
    """The listeners of the scenario's service, built by the service's own listener table."""
    durable: str = request.param
    service = SCENARIOS[durable].service
    if service == "expiration":
        redis = await create_pool(RedisSettings.from_dsn(redis_url), default_queue_name=QUEUE)
        yield _fed(bus, durable, expiration.listeners.listeners(redis), redis)
        await redis.aclose()
        return
    migrations = {
        "tickets": tickets.bootstrap.MIGRATIONS,
        "orders": orders.bootstrap.MIGRATIONS,
        "payments": payments.bootstrap.MIGRATIONS,
    }[service]
    pool = await open_migrated_pool(await database_factory(service), Path(migrations))
    db = Database(pool, service)
    gateway = StripeGateway(api_key="sk_test_contracts", api_base=stripe_api_base)
    built: list[Listener[Any]] = {
        "tickets": lambda: tickets.listeners.listeners(db, TicketsSettings.model_construct()),
        "orders": lambda: orders.listeners.listeners(db),
        "payments": lambda: payments.listeners.listeners(db, gateway),
    }[service]()
    yield _fed(bus, durable, built, pool)
    await gateway.close()
    await pool.close()


def _fed(bus: Bus, durable: str, listeners: Sequence[Listener[Any]], store: Any) -> Fed:
    [listener] = [listener for listener in listeners if listener.durable == durable]
    return Fed(durable, Consumer(bus, listener), store)


def _envelope(contract: EventContract, version: int, data: Data) -> Data:
    return {
        "id": str(uuid.uuid4()),
        "type": contract.type,
        "schemaVersion": version,
        "occurredAt": datetime.now(UTC).isoformat(),
        "producer": contract.publisher,
        "data": data,
    }


def _with_unknown_fields(value: Any) -> Any:
    """`value` with an extra property in every object, as a newer producer might send."""
    if isinstance(value, dict):
        return {**{k: _with_unknown_fields(v) for k, v in value.items()}, "addedLater": [1, "x"]}
    return value


DURABLES = pytest.mark.parametrize("fed", sorted(SCENARIOS), indirect=True, ids=str)


def test_every_listener_has_a_scenario() -> None:
    declared = {d.listener.durable for d in inspect_code(CATALOG).listeners}
    assert set(SCENARIOS) == declared


@DURABLES
async def test_examples_of_every_declared_version_apply(fed: Fed) -> None:
    for version in fed.contract.versions:
        for example in fed.contract.schemas[version]["examples"]:
            await fed.applies(version, example)


@DURABLES
async def test_examples_carrying_unknown_fields_apply(fed: Fed) -> None:
    for example in fed.contract.schema["examples"]:
        await fed.applies(fed.contract.version, example, unknown_fields=True)


@DURABLES
@GENERATED
@given(data=st.data())
async def test_generated_valid_instances_end_well_and_apply(fed: Fed, data: st.DataObject) -> None:
    version = data.draw(st.sampled_from(fed.contract.versions), label="version")
    instance = data.draw(from_schema(fed.contract.schemas[version]), label="data")
    await fed.applies(version, instance)


@DURABLES
async def test_an_instance_breaking_its_contract_is_dead_lettered(fed: Fed) -> None:
    example = dict(fed.contract.schema["examples"][0])
    example[next(iter(fed.contract.schema["required"]))] = {"not": "what the schema says"}
    verdict = await fed.outcome(_envelope(fed.contract, fed.contract.version, example))
    assert verdict is Verdict.REJECTED
