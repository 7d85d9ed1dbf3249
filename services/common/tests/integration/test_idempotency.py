"""Idempotency keys in PostgreSQL: one request per key, its answer kept, a day long."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from pydantic import BaseModel

from ticketing_common import idempotency
from ticketing_common.idempotency import Answer, IdempotentRequest, KeyReused
from ticketing_harness.waiting import eventually

USER = uuid.uuid4()


class Body(BaseModel):
    ticket: str


def _request(key: str = "k-1", ticket: str = "t-1") -> IdempotentRequest:
    request = IdempotentRequest.of(USER, key, "POST /things", Body(ticket=ticket))
    assert request is not None
    return request


async def test_a_request_without_a_key_is_never_stored(pool: asyncpg.Pool) -> None:
    assert IdempotentRequest.of(USER, None, "POST /things", Body(ticket="t")) is None
    async with pool.acquire() as conn:
        assert await idempotency.claim(conn, None) is None
        answer = Answer(201, {"id": 1})
        assert await idempotency.keep(conn, None, answer, uuid.uuid4()) is answer
        assert await conn.fetchval("SELECT count(*) FROM idempotency_keys") == 0


async def test_the_same_request_gets_its_stored_answer_and_another_is_refused(
    pool: asyncpg.Pool,
) -> None:
    resource = uuid.uuid4()
    async with pool.acquire() as conn:
        assert await idempotency.claim(conn, _request()) is None
        await idempotency.keep(conn, _request(), Answer(201, {"id": "x"}), resource)
        stored = await idempotency.claim(conn, _request())
        with pytest.raises(KeyReused):
            await idempotency.claim(conn, _request(ticket="t-2"))
    assert stored == idempotency.Stored(resource, Answer(201, {"id": "x"}))


async def test_a_key_older_than_a_day_is_taken_afresh(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await idempotency.claim(conn, _request())
        await idempotency.keep(conn, _request(), Answer(201, {}), uuid.uuid4())
        await conn.execute("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
        assert await idempotency.claim(conn, _request(ticket="t-2")) is None


async def test_a_key_taken_in_an_open_transaction_makes_its_retry_wait_for_the_answer(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as first, pool.acquire() as second:
        retry_pid = await second.fetchval("SELECT pg_backend_pid()")
        transaction = first.transaction()
        await transaction.start()
        assert await idempotency.claim(first, _request()) is None
        retry = asyncio.ensure_future(idempotency.claim(second, _request()))

        async def retry_waits_on_the_key() -> bool:
            return bool(
                await pool.fetchval(
                    "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1",
                    retry_pid,
                )
            )

        await eventually(retry_waits_on_the_key, message="the retry never waited on the key")
        assert not retry.done()
        await idempotency.keep(first, _request(), Answer(201, {"id": "x"}), uuid.uuid4())
        await transaction.commit()
        stored = await asyncio.wait_for(retry, timeout=5)
    assert stored is not None and stored.answer == Answer(201, {"id": "x"})


async def test_forgetting_a_resource_frees_the_key_of_its_request(pool: asyncpg.Pool) -> None:
    resource = uuid.uuid4()
    async with pool.acquire() as conn:
        await idempotency.claim(conn, _request())
        await idempotency.created(conn, _request(), resource)
        assert await idempotency.claim(conn, _request()) == idempotency.Stored(resource, None)
        await idempotency.keep_for(conn, resource, Answer(201, {"id": "x"}))
        assert (await idempotency.claim(conn, _request())) == idempotency.Stored(
            resource, Answer(201, {"id": "x"})
        )
        await idempotency.forget(conn, resource)
        assert await idempotency.claim(conn, _request(ticket="t-2")) is None
