"""Reading one service's database for the evidence: its replicated tables and, when asked, its
outbox, its processed-event records and the audit of its writes.

The audit is a trigger the chaos runner adds to the replicated tables of a stack of its own
(`install_audit`); nothing of it exists in a stack `ticketing up` starts.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection
from typing import Any, Protocol

import asyncpg

from ticketing_harness.evidence.snapshot import TABLES, AuditRow, Row, ServiceRecords

AUDIT_TABLE = "chaos_audit"
_AUDIT = f"""
CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (
    seq       bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    relation  text NOT NULL,
    row       jsonb NOT NULL
);
CREATE OR REPLACE FUNCTION {AUDIT_TABLE}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {AUDIT_TABLE} (relation, row) VALUES (TG_TABLE_NAME, to_jsonb(NEW));
    RETURN NULL;
END $$;
"""

# How a table's rows belong to some tickets: a column naming a ticket, or an order on one.
_OWNED_BY = {
    ("tickets", "tickets"): ("id", "tickets"),
    ("orders", "tickets"): ("id", "tickets"),
    ("orders", "orders"): ("ticket_id", "tickets"),
    ("payments", "orders"): ("id", "orders"),
    ("payments", "payments"): ("order_id", "orders"),
}


class Queries(Protocol):
    """An asyncpg connection or pool."""

    async def fetch(self, query: str, *args: Any) -> list[Any]: ...

    async def execute(self, query: str, *args: Any) -> str: ...


async def install_audit(db: Queries, service: str) -> None:
    """Record every insert and update of the service's replicated tables, with its time."""
    await db.execute(_AUDIT)
    for table in TABLES[service]:
        await db.execute(
            f"CREATE TRIGGER {AUDIT_TABLE} AFTER INSERT OR UPDATE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {AUDIT_TABLE}()"
        )


async def read_service(
    db: Queries,
    service: str,
    *,
    owners: dict[str, Collection[str]] | None = None,
    history: bool = True,
) -> ServiceRecords:
    """The service's replicated tables (only the rows of `owners`' tickets and orders, when
    given) and, with `history`, its outbox, processed events and audit."""
    tables = {table: await _rows(db, service, table, owners) for table in TABLES[service]}
    if not history:
        return ServiceRecords(tables)
    outbox = [
        dict(r)
        for r in await db.fetch(
            "SELECT seq, event_id::text, event_type, subject, sent_at IS NOT NULL AS sent,"
            " extract(epoch FROM created_at)::float8 AS at FROM outbox ORDER BY seq"
        )
    ]
    processed: dict[str, list[str]] = defaultdict(list)
    for r in await db.fetch("SELECT consumer, event_id::text FROM processed_events"):
        processed[r["consumer"]].append(r["event_id"])
    return ServiceRecords(tables, outbox, dict(processed), await _audit(db))


async def _rows(
    db: Queries, service: str, table: str, owners: dict[str, Collection[str]] | None
) -> list[Row]:
    if owners is None:
        return [dict(r) for r in await db.fetch(f"SELECT * FROM {table}")]
    column, owner = _OWNED_BY[service, table]
    query = f"SELECT * FROM {table} WHERE {column} = ANY($1::uuid[])"
    return [dict(r) for r in await db.fetch(query, list(owners[owner]))]


async def _audit(db: Queries) -> list[AuditRow] | None:
    """The audit of the database's writes, or None where it keeps none."""
    try:
        rows = await db.fetch(
            "SELECT seq, extract(epoch FROM at)::float8 AS at, relation, row::text AS row"
            f" FROM {AUDIT_TABLE} ORDER BY seq"
        )
    except asyncpg.UndefinedTableError:
        return None
    return [AuditRow(r["seq"], r["at"], r["relation"], json.loads(r["row"])) for r in rows]
