"""Every error a service can hit answers in the one `{"errors": [...]}` shape."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter
from pydantic import field_validator

from ticketing_common.config import ServiceSettings
from ticketing_common.errors import (
    AppError,
    BadRequest,
    Conflict,
    Forbidden,
    NotAuthorized,
    NotFound,
    PaymentFailed,
)
from ticketing_common.http import create_app
from ticketing_common.validation import MissingMessage, RequestModel

from .conftest import HttpClientFactory

router = APIRouter()


class SeatIn(RequestModel):
    row: Annotated[str, MissingMessage("Row is required")]


class TicketIn(RequestModel):
    title: Annotated[str, MissingMessage("Title is required")]
    price: float
    seats: list[SeatIn] = []

    @field_validator("price")
    @classmethod
    def _positive(cls, price: float) -> float:
        if price <= 0:
            raise ValueError("Price must be provided and must be greater than 0")
        return price


@router.post("/tickets", status_code=201)
async def create_ticket(ticket: TicketIn) -> dict[str, str]:
    return {"title": ticket.title}


@router.get("/tickets")
async def list_tickets(limit: int = 10) -> dict[str, int]:
    return {"limit": limit}


APP_ERRORS: dict[str, AppError] = {
    "bad-request": BadRequest("Cannot edit a reserved ticket"),
    "not-authorized": NotAuthorized(),
    "forbidden": Forbidden(),
    "not-found": NotFound(),
    "conflict": Conflict(),
    "payment-failed": PaymentFailed("Your card was declined"),
    "bad-field": BadRequest("Email must be valid", "email"),
}


@router.get("/fail/{name}")
async def fail(name: str) -> None:
    raise APP_ERRORS[name]


@router.get("/crash")
async def crash() -> None:
    raise RuntimeError("connection to db-7 failed with password hunter2")


@pytest.fixture
async def client(
    service_settings: ServiceSettings, http_client: HttpClientFactory
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(title="errors", settings=service_settings, routers=[router])
    async with http_client(app) as client:
        yield client


@pytest.mark.parametrize(
    ("name", "status", "errors"),
    [
        ("bad-request", 400, [{"message": "Cannot edit a reserved ticket"}]),
        ("not-authorized", 401, [{"message": "Not authorized"}]),
        ("forbidden", 403, [{"message": "Forbidden"}]),
        ("not-found", 404, [{"message": "Not Found"}]),
        ("conflict", 409, [{"message": "The resource was changed by someone else"}]),
        ("payment-failed", 402, [{"message": "Your card was declined"}]),
        ("bad-field", 400, [{"message": "Email must be valid", "field": "email"}]),
    ],
)
async def test_app_errors_answer_their_status_and_details(
    client: httpx.AsyncClient, name: str, status: int, errors: list[dict[str, str]]
) -> None:
    response = await client.get(f"/fail/{name}")
    assert (response.status_code, response.json()) == (status, {"errors": errors})


async def test_validator_messages_name_their_field_without_prefix(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/tickets", json={"title": "Concert", "price": -10})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"message": "Price must be provided and must be greater than 0", "field": "price"}
        ]
    }


async def test_missing_field_reports_the_declared_message(client: httpx.AsyncClient) -> None:
    response = await client.post("/tickets", json={"price": "ten"})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"message": "Title is required", "field": "title"},
            {
                "message": "Input should be a valid number, unable to parse string as a number",
                "field": "price",
            },
        ]
    }


async def test_nested_missing_field_reports_its_declared_message(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/tickets", json={"title": "A", "price": 5, "seats": [{}]})
    assert response.json() == {"errors": [{"message": "Row is required", "field": "row"}]}


async def test_valid_body_passes(client: httpx.AsyncClient) -> None:
    response = await client.post("/tickets", json={"title": "Concert", "price": 20})
    assert (response.status_code, response.json()) == (201, {"title": "Concert"})


async def test_query_parameter_error_names_the_parameter(client: httpx.AsyncClient) -> None:
    response = await client.get("/tickets", params={"limit": "many"})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "Input should be a valid integer, unable to parse string as an integer",
                "field": "limit",
            }
        ]
    }


async def test_malformed_json_is_reported_once(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/tickets", content=b'{"title": "Con', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "Request body is not valid JSON"}]}


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"json": ["Concert", 20]},
        {"content": b"title=Concert", "headers": {"content-type": "text/plain"}},
    ],
    ids=["json-array", "not-json"],
)
async def test_body_that_is_not_a_json_object_is_refused(
    client: httpx.AsyncClient, request_kwargs: dict[str, object]
) -> None:
    response = await client.post("/tickets", **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "Request body must be a JSON object"}]}


async def test_missing_body_is_reported(client: httpx.AsyncClient) -> None:
    response = await client.post("/tickets")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "Request body is required"}]}


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
async def test_unknown_route_is_not_found_for_any_method(
    client: httpx.AsyncClient, method: str
) -> None:
    response = await client.request(method, "/api/nothing-here")
    assert (response.status_code, response.json()) == (404, {"errors": [{"message": "Not Found"}]})


async def test_wrong_method_on_known_path_is_not_allowed(client: httpx.AsyncClient) -> None:
    response = await client.delete("/crash")
    assert response.status_code == 405
    assert response.json() == {"errors": [{"message": "Method Not Allowed"}]}
    assert response.headers["allow"] == "GET"


async def test_unexpected_error_is_500_logged_and_never_leaked(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="ticketing_common.http"):
        response = await client.get("/crash")

    assert response.status_code == 500
    assert response.json() == {"errors": [{"message": "Something went wrong"}]}
    assert "hunter2" not in response.text
    [record] = [r for r in caplog.records if r.name == "ticketing_common.http"]
    assert record.getMessage() == "Unhandled error on GET /crash"
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)
    assert "hunter2" in caplog.text
    assert "Traceback (most recent call last)" in caplog.text


@pytest.mark.parametrize("method", ["OPTIONS", "PATCH", "DELETE"])
async def test_a_method_the_path_does_not_take_names_every_method_it_does(
    client: httpx.AsyncClient, method: str
) -> None:
    response = await client.request(method, "/tickets")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
