"""Request ids: the gateway's kept when well-formed, else a new one; answered, logged, current."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ticketing_common.envelope import Envelope
from ticketing_common.errors import ContractViolation
from ticketing_common.logs import JsonLineFormatter
from ticketing_common.tracing import Cause, RequestIds, caused_by, current_cause

from .test_events import BUILT


async def _cause(request: Request) -> JSONResponse:
    cause = current_cause()
    assert cause is not None
    return JSONResponse({"correlation": cause.correlation_id, "causation": cause.causation_id})


APP = RequestIds(Starlette(routes=[Route("/cause", _cause), Route("/healthz", _cause)]))


async def _get(path: str, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=APP)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        return await client.get(path, headers=headers)


async def test_a_well_formed_request_id_is_kept_answered_and_current() -> None:
    response = await _get("/cause", **{"X-Request-Id": "gateway-0123456789abcdef"})
    assert response.headers["x-request-id"] == "gateway-0123456789abcdef"
    assert response.json() == {"correlation": "gateway-0123456789abcdef"} | {
        "causation": "gateway-0123456789abcdef"
    }


@pytest.mark.parametrize(
    "sent", [None, "short", "has spaces in it", "x" * 200, "<script>1</script>"]
)
async def test_a_missing_or_malformed_request_id_is_replaced_by_a_new_one(sent: str | None) -> None:
    response = await _get("/cause", **({"X-Request-Id": sent} if sent else {}))
    made = response.headers["x-request-id"]
    assert made != sent
    assert len(made) == 32
    assert response.json()["correlation"] == made


class _Lines(logging.Handler):
    """Formats each record as it is emitted, as the services' handler does."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonLineFormatter("demo"))
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


async def test_each_request_is_logged_once_with_its_id_but_not_the_probes() -> None:
    handler = _Lines()
    logger = logging.getLogger("ticketing.requests")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        await _get("/healthz")
        response = await _get("/cause")
    finally:
        logger.removeHandler(handler)
    [line] = handler.lines
    assert (line["method"], line["path"], line["status"]) == ("GET", "/cause", 200)
    assert line["message"] == "GET /cause 200"
    assert line["correlation_id"] == response.headers["x-request-id"]


def test_log_lines_written_while_a_cause_is_current_carry_its_ids() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "applied", (), None)
    with caused_by(Cause("request-0123456789", "event-0123456789")):
        line = json.loads(JsonLineFormatter("orders").format(record))
    assert (line["correlation_id"], line["causation_id"]) == (
        "request-0123456789",
        "event-0123456789",
    )


def test_trace_ids_travel_in_the_envelope_and_malformed_ones_break_the_contract() -> None:
    event = BUILT["ticket.created"]
    envelope = Envelope.wrap(event, cause=Cause.request("request-0123456789"))
    read = Envelope.from_bytes(envelope.to_bytes())
    assert (read.correlation_id, read.causation_id) == ("request-0123456789",) * 2
    assert read.caused() == Cause("request-0123456789", str(envelope.id))
    first = Envelope.wrap(event)  # no request: the chain starts with this event
    assert first.caused() == Cause(str(first.id), str(first.id))
    body = json.loads(envelope.to_bytes())
    with pytest.raises(ContractViolation, match="correlationId"):
        Envelope.from_bytes(json.dumps({**body, "correlationId": "no spaces please"}).encode())
