"""Fuzz each service's HTTP API with schemathesis, every check on, against its own OpenAPI.

Each of auth, tickets, orders and payments runs in process under uvicorn on a free port, on
real PostgreSQL, NATS (and localstripe); schemathesis generates valid and invalid requests
from the document the service serves and fails on any 5xx, an undocumented status, content
type or header, a body that breaks its schema, valid data refused or invalid data accepted,
a method answered that the document does not list, and more (`st explain`). Known business
refusals of valid data are listed in fuzz/schemathesis.toml. Orders and payments are fuzzed
with real ids too (tickets orders knows, the signed-in user's own orders), so that requests
get past 404 to the rules behind it.

    uv run pytest fuzz -n 2                      # FUZZ_MAX_EXAMPLES=100 and FUZZ_SEED=1 by default
    FUZZ_MAX_EXAMPLES=500 FUZZ_SEED=7 uv run pytest fuzz
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from auth.app import create_app as create_auth_app
from auth.config import Settings as AuthSettings
from orders.app import create_app as create_orders_app
from orders.config import Settings as OrdersSettings
from payments.app import create_app as create_payments_app
from payments.config import Settings as PaymentsSettings
from ticketing_common.auth import SESSION_COOKIE, AuthConfig, new_claims, sign_session
from ticketing_common.bus import Bus
from ticketing_common.config import ServiceSettings, load_settings
from ticketing_common.events import OrderCreated, OrderStatus, OrderTicket, TicketCreated
from ticketing_harness.testing.bus import publish
from ticketing_harness.waiting import eventually
from tickets.app import create_app as create_tickets_app
from tickets.config import Settings as TicketsSettings

from .conftest import uvicorn_server

JWT_KEY = "fuzzing-signing-key-of-at-least-32-characters"
CONFIG = Path(__file__).with_name("schemathesis.toml")
FUZZ_SECONDS = 1800

pytestmark = pytest.mark.timeout(FUZZ_SECONDS + 120)


# How often a generated value is replaced by a real id: often enough to reach the rules past
# 404, seldom enough to keep fuzzing the parameter itself.
REAL_ID_PROBABILITY = 0.5
# What real ids make the APIs answer to valid requests, as the original API does: 400 for a
# ticket already reserved, an order already paid or cancelled, a completed order cancelled.
# DELETE /api/orders/{id} cancels the order, which its buyer still sees, cancelled.
REAL_IDS_RULES = """
[[operations]]
include-name = ["POST /api/orders", "DELETE /api/orders/{order_id}", "POST /api/payments"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404", "409", "429"]

[checks.use_after_free]
enabled = false
"""


def schemathesis(
    base_url: str, workdir: Path, session: str, real_ids: Mapping[str, Sequence[str]] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the schemathesis command line against the running service's OpenAPI document,
    putting `real_ids` (by parameter: `path.order_id`, `body.ticketId`) into the requests."""
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(_config(workdir, real_ids or {})),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        "all",
        "--mode",
        "all",
        "--max-examples",
        os.environ.get("FUZZ_MAX_EXAMPLES", "100"),
        "--seed",
        os.environ.get("FUZZ_SEED", "1"),
        "--workers",
        "1",
    ]
    return subprocess.run(
        command,
        cwd=workdir,
        env={**os.environ, "FUZZ_SESSION": session},
        capture_output=True,
        text=True,
        timeout=FUZZ_SECONDS,
        check=False,
    )


def _config(workdir: Path, real_ids: Mapping[str, Sequence[str]]) -> Path:
    """fuzz/schemathesis.toml, plus a dictionary of real values for each named parameter."""
    lines = [CONFIG.read_text()]
    if real_ids:
        lines.append(REAL_IDS_RULES)
    for number, values in enumerate(real_ids.values()):
        lines += [f"[dictionaries.real{number}]", f"values = {json.dumps(list(values))}"]
    if real_ids:
        lines.append("[parameters]")
    for number, parameter in enumerate(real_ids):
        binding = f'{{ dictionary = "real{number}", probability = {REAL_ID_PROBABILITY} }}'
        lines.append(f'"{parameter}" = {binding}')
    config = workdir / "schemathesis.toml"
    config.write_text("\n".join(lines) + "\n")
    return config


def session_of(settings: ServiceSettings, user: uuid.UUID) -> str:
    """A signed-in session cookie value of `user`."""
    config = AuthConfig.from_settings(settings)
    claims = new_claims(user_id=str(user), email="fuzz@example.com", config=config)
    return sign_session(claims, config)


def fuzz(app: FastAPI, workdir: Path, settings: ServiceSettings) -> None:
    """Fuzz the app, signed in as a user of its own when a route asks for one."""
    with uvicorn_server(app) as base_url:
        result = schemathesis(base_url, workdir, session_of(settings, uuid.uuid4()))
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"


def test_auth_api_answers_every_request_as_documented(
    database_dsn: str, nats_url: str, tmp_path: Path
) -> None:
    # Rationing is generous: the fuzzer is one address making thousands of attempts.
    settings = load_settings(
        AuthSettings,
        **_common(database_dsn, nats_url),
        signin_rate_per_address="100000/minute",
        signin_rate_per_account="100000/minute",
        signin_at_once_per_account=100,
        password_hash_memory_kib=1024,
        password_hash_time_cost=1,
    )
    fuzz(create_auth_app(settings), tmp_path, settings)


def test_tickets_api_answers_every_request_as_documented(
    database_dsn: str, nats_url: str, tmp_path: Path
) -> None:
    settings = load_settings(TicketsSettings, **_common(database_dsn, nats_url))
    fuzz(create_tickets_app(settings), tmp_path, settings)


async def test_orders_api_answers_every_request_as_documented(
    database_dsn: str, nats_url: str, bus: Bus, tmp_path: Path
) -> None:
    settings = load_settings(OrdersSettings, **_common(database_dsn, nats_url))
    user = uuid.uuid4()
    session = session_of(settings, user)
    tickets = [_ticket_created(price) for price in ("20.00", "35.50")]
    for ticket in tickets:
        await publish(bus, ticket)
    with uvicorn_server(create_orders_app(settings)) as base_url:
        order = await _ordered(base_url, session, tickets[0].id)
        real_ids = {"path.order_id": [order["id"]], "body.ticketId": [str(t.id) for t in tickets]}
        result = await asyncio.to_thread(schemathesis, base_url, tmp_path, session, real_ids)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    # The fuzzer got past 404 with the real ids: it changed the user's order or placed another.
    changed = await _fetch(
        database_dsn,
        "SELECT count(*) FROM orders WHERE user_id = $1 AND (id <> $2 OR status <> 'created')",
        user,
        uuid.UUID(order["id"]),
    )
    assert changed > 0


async def test_payments_api_answers_every_request_as_documented(
    database_dsn: str, nats_url: str, bus: Bus, stripe_api_base: str, tmp_path: Path
) -> None:
    settings = load_settings(
        PaymentsSettings,
        **_common(database_dsn, nats_url),
        stripe_secret_key="sk_test_fuzz",
        stripe_api_base=stripe_api_base,
    )
    user = uuid.uuid4()
    session = session_of(settings, user)
    orders = [_order_created(user), _order_created(user)]
    for order in orders:
        await publish(bus, order)
    real_ids = {"body.orderId": [str(order.id) for order in orders], "body.token": ["pm_card_visa"]}
    with uvicorn_server(create_payments_app(settings)) as base_url:
        await _payable(base_url, session, orders[-1].id)
        result = await asyncio.to_thread(schemathesis, base_url, tmp_path, session, real_ids)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    # The fuzzer got past 404 with the real ids: it paid for one of the user's orders.
    paid = await _fetch(
        database_dsn,
        "SELECT count(*) FROM payments WHERE order_id = ANY($1) AND state = 'charged'",
        [order.id for order in orders],
    )
    assert paid > 0


async def _fetch(dsn: str, query: str, *args: object) -> Any:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(query, *args)
    finally:
        await connection.close()


def _common(database_dsn: str, nats_url: str) -> dict[str, Any]:
    return {
        "database_url": database_dsn,
        "nats_url": nats_url,
        "jwt_key": JWT_KEY,
        "environment": "test",
        "plain_http": True,
    }


def _ticket_created(price: str) -> TicketCreated:
    return TicketCreated(
        id=uuid.uuid4(), version=0, title="Fuzzed show", price=Decimal(price), user_id=uuid.uuid4()
    )


def _order_created(user: uuid.UUID) -> OrderCreated:
    return OrderCreated(
        id=uuid.uuid4(),
        version=0,
        status=OrderStatus.CREATED,
        user_id=user,
        expires_at=datetime.now(UTC) + timedelta(hours=1),
        ticket=OrderTicket(id=uuid.uuid4(), price=Decimal("20.00")),
    )


async def _ordered(base_url: str, session: str, ticket_id: uuid.UUID) -> dict[str, Any]:
    """The user's own order of a ticket, once orders has heard of the ticket."""
    async with httpx.AsyncClient(base_url=base_url, cookies={SESSION_COOKIE: session}) as client:

        async def placed() -> dict[str, Any]:
            response = await client.post("/api/orders", json={"ticketId": str(ticket_id)})
            assert response.status_code == 201, response.text
            order: dict[str, Any] = response.json()
            return order

        return await eventually(placed, timeout=30, message="orders never knew the ticket")


async def _payable(base_url: str, session: str, order_id: uuid.UUID) -> None:
    """Wait until payments has the user's orders (the last one published, so all of them)."""
    async with httpx.AsyncClient(base_url=base_url, cookies={SESSION_COOKIE: session}) as client:

        async def known() -> bool:
            body = {"orderId": str(order_id), "token": "pm_card_unknown"}
            response = await client.post("/api/payments", json=body)
            return response.status_code != 404

        await eventually(known, timeout=30, message="payments never knew the orders")
