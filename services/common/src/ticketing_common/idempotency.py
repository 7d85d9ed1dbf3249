"""Safe retries: a POST sent with an `Idempotency-Key` header gets its first answer again.

As in Stripe's API: the same key with the same body answers what the first request
answered and creates nothing; the same key with another body is refused (409, as is a
retry while the first request is still in progress, that one with `Retry-After`). Keys
belong to the signed-in user and are kept 24 hours. Only a request that did something is
remembered: one refused (4xx) changed nothing, so its retry runs again.

The key is claimed, and the answer stored, in the transaction of the request's effect:

    async with db.unit_of_work() as uow:
        if (stored := await claim(uow.conn, request)) is not None:
            return stored.answer
        order = ...                               # the effect
        return await keep(uow.conn, request, Answer(201, body), resource_id=order.id)

A concurrent request with the same key waits on the claim until the first commits (or
rolls back, and then takes the key itself).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ticketing_common.db import Connection
from ticketing_common.errors import AppError
from ticketing_common.openapi import ErrorBody

HEADER = "Idempotency-Key"
RETENTION = "24 hours"

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        pattern=r"^[!-~]{1,255}$",
        description="Any 1 to 255 visible ASCII characters, unique per attempt (a UUID, say); "
        "a retry with the same key and body gets the first answer and creates nothing.",
    ),
]
"""A route parameter: the request's Idempotency-Key, or None without one."""

_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ErrorBody,
        "description": f"The {HEADER} was used with another request, or its first request "
        "is still in progress (then with Retry-After).",
        "headers": _RETRY_AFTER,
    }
}
"""What a route taking an Idempotency-Key documents besides its own answers."""


class KeyReused(AppError):
    """409: the key was used with another request."""

    status_code = 409

    def __init__(self) -> None:
        super().__init__(f"This {HEADER} was used with another request", "Idempotency-Key")


class RequestInProgress(AppError):
    """409: the first request with this key has not finished yet."""

    status_code = 409

    def __init__(self) -> None:
        super().__init__(f"A request with this {HEADER} is still in progress; retry shortly")
        self.headers["Retry-After"] = "1"


@dataclass(frozen=True)
class Answer:
    """What a request answered: its status and JSON body."""

    status_code: int
    body: Any

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status_code)


@dataclass(frozen=True)
class IdempotentRequest:
    """A request sent with a key: whose, which key, and a fingerprint of what it asked."""

    user_id: UUID
    key: str
    fingerprint: str

    @classmethod
    def of(
        cls, user_id: UUID, key: str | None, operation: str, body: BaseModel
    ) -> IdempotentRequest | None:
        """The request as stored, or None when it came without a key."""
        if key is None:
            return None
        canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(f"{operation}\n{canonical}".encode()).hexdigest()
        return cls(user_id, key, digest)


@dataclass(frozen=True)
class Stored:
    """A key taken before: what its request created, and its answer once recorded."""

    resource_id: UUID | None
    answer: Answer | None


async def claim(conn: Connection, request: IdempotentRequest | None) -> Stored | None:
    """Take the key for this request (None: go ahead), or what the same request stored.

    Raises:
        KeyReused: the key is taken by a request with another fingerprint.
    """
    if request is None:
        return None
    taken = await conn.fetchval(
        "INSERT INTO idempotency_keys (user_id, key, fingerprint) VALUES ($1, $2, $3)"
        " ON CONFLICT (user_id, key) DO UPDATE"
        " SET fingerprint = EXCLUDED.fingerprint, resource_id = NULL, status_code = NULL,"
        " answer = NULL, created_at = now()"
        f" WHERE idempotency_keys.created_at < now() - interval '{RETENTION}'"
        " RETURNING true",
        request.user_id,
        request.key,
        request.fingerprint,
    )
    if taken:
        return None
    row = await conn.fetchrow(
        "SELECT fingerprint, resource_id, status_code, answer FROM idempotency_keys"
        " WHERE user_id = $1 AND key = $2",
        request.user_id,
        request.key,
    )
    assert row is not None, "a key not taken now was taken before"
    if row["fingerprint"] != request.fingerprint:
        raise KeyReused()
    answer = None
    if row["status_code"] is not None:
        answer = Answer(row["status_code"], json.loads(row["answer"]))
    return Stored(row["resource_id"], answer)


async def created(conn: Connection, request: IdempotentRequest | None, resource_id: UUID) -> None:
    """Note what the request created, before its answer is known."""
    if request is not None:
        await conn.execute(
            "UPDATE idempotency_keys SET resource_id = $3 WHERE user_id = $1 AND key = $2",
            request.user_id,
            request.key,
            resource_id,
        )


async def keep(
    conn: Connection, request: IdempotentRequest | None, answer: Answer, resource_id: UUID
) -> Answer:
    """Store the answer of the request, which created `resource_id`; returns the answer."""
    if request is not None:
        await conn.execute(
            "UPDATE idempotency_keys SET resource_id = $3, status_code = $4, answer = $5"
            " WHERE user_id = $1 AND key = $2",
            request.user_id,
            request.key,
            resource_id,
            answer.status_code,
            json.dumps(answer.body),
        )
    return answer


async def keep_for(conn: Connection, resource_id: UUID, answer: Answer) -> None:
    """Store the answer of whichever request created `resource_id`, if one came with a key."""
    await conn.execute(
        "UPDATE idempotency_keys SET status_code = $2, answer = $3"
        " WHERE resource_id = $1 AND status_code IS NULL",
        resource_id,
        answer.status_code,
        json.dumps(answer.body),
    )


async def forget(conn: Connection, resource_id: UUID) -> None:
    """Free the key of a request whose resource was undone, so its retry runs again."""
    await conn.execute("DELETE FROM idempotency_keys WHERE resource_id = $1", resource_id)
