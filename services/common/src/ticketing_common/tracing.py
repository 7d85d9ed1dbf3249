"""Where the work in progress comes from: a request, or the event being handled.

The gateway stamps each request with an `X-Request-Id` (a client's own is kept when it is
well-formed); `RequestIds` takes it, or makes one when a request comes straight to the
service, answers it, logs the request with it and makes it the current `Cause` while the
request is handled. A consumer makes the event it handles the current cause. The events
written meanwhile carry it on (`correlationId`: the request that started the chain;
`causationId`: the request or the event that caused them), and so does every log line.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ticketing_common.wire import TRACE_ID_PATTERN

REQUEST_ID_HEADER = "X-Request-Id"
# Probed all the time: logging each would bury the requests that matter.
QUIET_PATHS = frozenset({"/healthz", "/readyz"})
_TRACE_ID = re.compile(TRACE_ID_PATTERN)

log = logging.getLogger("ticketing.requests")


@dataclass(frozen=True)
class Cause:
    """What the current work is part of, and what caused it directly."""

    correlation_id: str
    causation_id: str

    @classmethod
    def request(cls, request_id: str) -> Cause:
        """A request starts a chain of its own."""
        return cls(request_id, request_id)


_current: ContextVar[Cause | None] = ContextVar("ticketing_cause", default=None)


def current_cause() -> Cause | None:
    """The request or event being handled here, if any."""
    return _current.get()


@contextmanager
def caused_by(cause: Cause | None) -> Iterator[None]:
    """Make `cause` current for the work inside the block."""
    token = _current.set(cause)
    try:
        yield
    finally:
        _current.reset(token)


def request_id_from(sent: str | None) -> str:
    """The request id a caller sent when it is well-formed, else a new one."""
    if sent is not None and _TRACE_ID.match(sent):
        return sent
    return uuid.uuid4().hex


class RequestIds:
    """ASGI middleware: every HTTP request has an id, current while it runs, answered in
    `X-Request-Id` and logged with the request's outcome."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope).get(REQUEST_ID_HEADER))
        status = 500
        started = time.perf_counter()

        async def answer_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        with caused_by(Cause.request(request_id)):
            try:
                await self.app(scope, receive, answer_with_id)
            finally:
                if scope["path"] not in QUIET_PATHS:
                    _log_request(scope, status, time.perf_counter() - started)


def _log_request(scope: Scope, status: int, seconds: float) -> None:
    method, path = scope["method"], scope["path"]
    fields = {"method": method, "path": path, "status": status, "ms": round(seconds * 1000, 1)}
    log.info("%s %s %d", method, path, status, extra={"fields": fields})
