"""I8: an answer must be one its request allows, documented in the service's own OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest

from orders.app import create_app as orders_app
from orders.config import Settings as OrdersSettings
from ticketing_chaos.answers import answers_allowed
from ticketing_chaos.live.journal import Journal
from ticketing_chaos.live.nemesis import Outage
from ticketing_chaos.workload.history import Operation
from ticketing_common.config import load_settings
from ticketing_harness.testing.evidence import EPOCH, uid


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    """The orders service's OpenAPI document, as its app serves it."""
    settings = load_settings(
        OrdersSettings, jwt_key="k" * 32, database_url="postgresql://x", nats_url="nats://x"
    )
    return {"orders": orders_app(settings).openapi()}


def order(status: int | None, body: Any, at: float = 1.0) -> Operation:
    return Operation(
        0,
        "u01",
        "place_order",
        "POST",
        "/api/orders",
        {"ticketId": uid()},
        at,
        at + 0.1,
        status,
        body,
    )


def verdict(
    documents: dict[str, dict[str, Any]], *operations: Operation, outages: tuple[Outage, ...] = ()
) -> list[str]:
    journal = Journal(list(operations), EPOCH, list(outages), openapi=documents)
    return [v.message for v in answers_allowed(journal).violations]


def test_documented_answers_the_request_allows_pass(documents: dict[str, dict[str, Any]]) -> None:
    placed = {
        "id": uid(),
        "userId": uid(),
        "status": "created",
        "expiresAt": "2026-01-01T00:00:00Z",
        "ticket": {"id": uid(), "title": "Show", "price": 20, "version": 0},
        "version": 0,
        "refunded": False,
    }
    reserved = {"errors": [{"message": "Ticket is already reserved"}]}
    assert verdict(documents, order(201, placed), order(400, reserved)) == []


def test_a_server_error_is_never_allowed(documents: dict[str, dict[str, Any]]) -> None:
    [message] = verdict(documents, order(500, {"errors": [{"message": "Something went wrong"}]}))
    assert message.endswith(": 500 is not an answer this request allows")


def test_a_body_off_the_documented_schema_is_caught(documents: dict[str, dict[str, Any]]) -> None:
    [message] = verdict(documents, order(201, {"id": "not an order"}))
    assert "body does not fit the documented schema" in message


def test_a_gateway_error_is_allowed_only_while_the_service_was_down(
    documents: dict[str, dict[str, Any]],
) -> None:
    down = Outage("orders", EPOCH + 0.5, EPOCH + 2.0, "kill: kill")
    during, after = order(502, None, at=1.0), order(502, None, at=5.0)
    [message] = verdict(documents, during, after, outages=(down,))
    assert message.startswith("   5.000s") and message.endswith("server error")


def test_no_answer_at_all_is_caught(documents: dict[str, dict[str, Any]]) -> None:
    silent = order(None, None)
    silent.error = "ReadTimeout: timed out"
    [message] = verdict(documents, silent)
    assert message.endswith("no answer from a running service")
