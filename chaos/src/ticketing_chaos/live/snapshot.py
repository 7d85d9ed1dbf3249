"""Everything the checks read once the run has drained: databases, streams, Stripe, faults."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import asyncpg
import nats
import stripe
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from ticketing_chaos.live.stack import AUDITED
from ticketing_common.contracts import load_catalog
from ticketing_common.errors import ContractViolation
from ticketing_common.faults.record import InjectedFault
from ticketing_common.jetstream import DEAD_LETTER_STREAM
from ticketing_harness.local.connections import StackConnections

_FETCH = 500


@dataclass(frozen=True)
class AuditRow:
    """One insert or update of an audited table, in the order the database made them."""

    seq: int
    at: float
    relation: str
    row: dict[str, Any]


@dataclass(frozen=True)
class ServiceData:
    """One service's database: its tables now, its outbox, what it processed, its audit."""

    tables: dict[str, list[dict[str, Any]]]
    outbox: list[dict[str, Any]]
    processed: dict[str, list[str]]
    audit: list[AuditRow]


@dataclass(frozen=True)
class StreamMessage:
    """A message of the events stream; `invalid` says how it breaks its contract, if it does."""

    seq: int
    subject: str
    msg_id: str | None
    at: float
    body: Any
    invalid: str | None

    @property
    def event_id(self) -> str | None:
        return self.body.get("id") if isinstance(self.body, dict) else None

    @property
    def event_type(self) -> str | None:
        return self.body.get("type") if isinstance(self.body, dict) else None

    @property
    def data(self) -> dict[str, Any]:
        data = self.body.get("data") if isinstance(self.body, dict) else None
        return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class DeadLetterMessage:
    consumer: str
    subject: str
    reason: str
    deliveries: int
    event_id: str | None


@dataclass(frozen=True)
class ConsumerState:
    name: str
    subject: str
    pending: int
    ack_pending: int


@dataclass(frozen=True)
class Charge:
    """A succeeded PaymentIntent, in cents; `at` when it was created (whole seconds)."""

    id: str
    order_id: str | None
    amount: int
    at: float = 0.0


@dataclass(frozen=True)
class Refund:
    id: str
    payment_intent: str | None
    amount: int
    status: str
    at: float = 0.0


@dataclass(frozen=True)
class Snapshot:
    """The system at rest after a run."""

    databases: dict[str, ServiceData]
    stream: list[StreamMessage]
    dead_letters: list[DeadLetterMessage]
    consumers: list[ConsumerState]
    charges: list[Charge]
    refunds: list[Refund]
    faults: list[InjectedFault] = field(default_factory=list)

    def table(self, database: str, table: str) -> list[dict[str, Any]]:
        return self.databases[database].tables[table]


async def take_snapshot(connections: StackConnections, faults: list[InjectedFault]) -> Snapshot:
    """Read every source the checks need."""
    databases = {
        name: await _service_data(connections.database_url(name), tables)
        for name, tables in AUDITED.items()
    }
    nc = await nats.connect(connections.nats_url)
    try:
        js = nc.jetstream()
        stream = await _stream(js)
        dead_letters = await _dead_letters(js)
        consumers = await _consumers(js)
    finally:
        await nc.close()
    charges, refunds = await _stripe(connections)
    return Snapshot(databases, stream, dead_letters, consumers, charges, refunds, faults)


async def _service_data(dsn: str, tables: tuple[str, ...]) -> ServiceData:
    conn = await asyncpg.connect(dsn)
    try:
        rows = {t: [dict(r) for r in await conn.fetch(f"SELECT * FROM {t}")] for t in tables}
        outbox = [
            dict(r)
            for r in await conn.fetch(
                "SELECT seq, event_id::text, event_type, subject, sent_at IS NOT NULL AS sent,"
                " extract(epoch FROM created_at)::float8 AS at FROM outbox ORDER BY seq"
            )
        ]
        processed: dict[str, list[str]] = defaultdict(list)
        for r in await conn.fetch("SELECT consumer, event_id::text FROM processed_events"):
            processed[r["consumer"]].append(r["event_id"])
        audit = [
            AuditRow(r["seq"], r["at"], r["relation"], json.loads(r["row"]))
            for r in await conn.fetch(
                "SELECT seq, extract(epoch FROM at)::float8 AS at, relation, row::text AS row"
                " FROM chaos_audit ORDER BY seq"
            )
        ]
    finally:
        await conn.close()
    return ServiceData(rows, outbox, dict(processed), audit)


async def _messages(js: JetStreamContext, stream: str, subject: str) -> list[Msg]:
    """Every message of a stream, read with a throwaway consumer that needs no acks."""
    info = await js.stream_info(stream)
    if not info.state.messages:
        return []
    config = ConsumerConfig(ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL)
    sub = await js.pull_subscribe(subject, stream=stream, config=config)
    msgs: list[Msg] = []
    try:
        while len(msgs) < info.state.messages:
            msgs.extend(await sub.fetch(min(_FETCH, info.state.messages - len(msgs)), timeout=5))
    finally:
        await sub.unsubscribe()
    return msgs


async def _stream(js: JetStreamContext) -> list[StreamMessage]:
    messages = await _messages(js, load_catalog().stream_name, "events.>")
    return [stream_message(msg) for msg in messages]


def stream_message(msg: Msg) -> StreamMessage:
    """A message of the events stream, checked against its contract."""
    invalid = None
    try:
        body = json.loads(msg.data)
        load_catalog().validate_envelope(body)
    except ValueError as exc:
        body, invalid = None, f"not JSON: {exc}"
    except ContractViolation as exc:
        invalid = str(exc)
    return StreamMessage(
        seq=msg.metadata.sequence.stream,
        subject=msg.subject,
        msg_id=(msg.headers or {}).get("Nats-Msg-Id"),
        at=msg.metadata.timestamp.timestamp(),
        body=body,
        invalid=invalid,
    )


async def _dead_letters(js: JetStreamContext) -> list[DeadLetterMessage]:
    letters = []
    for msg in await _messages(js, DEAD_LETTER_STREAM, "deadletter.>"):
        headers = msg.headers or {}
        try:
            event_id = json.loads(msg.data).get("id")
        except (ValueError, AttributeError):
            event_id = None
        letters.append(
            DeadLetterMessage(
                consumer=headers.get("Ticketing-Consumer", ""),
                subject=headers.get("Ticketing-Subject", ""),
                reason=headers.get("Ticketing-Reason", ""),
                deliveries=int(headers.get("Ticketing-Deliveries", "0")),
                event_id=event_id if isinstance(event_id, str) else None,
            )
        )
    return letters


async def _consumers(js: JetStreamContext) -> list[ConsumerState]:
    infos = await js.consumers_info(load_catalog().stream_name)
    return [
        ConsumerState(
            name=str(info.name),
            subject=str(info.config.filter_subject),
            pending=int(info.num_pending or 0),
            ack_pending=int(info.num_ack_pending or 0),
        )
        for info in infos
        if info.config.durable_name
    ]


async def _stripe(connections: StackConnections) -> tuple[list[Charge], list[Refund]]:
    """Every succeeded charge and every refund localstripe holds, read with the official SDK."""
    assert connections.stripe_api_base is not None and connections.stripe_api_key is not None
    http = stripe.AIOHTTPClient()
    client = stripe.StripeClient(
        connections.stripe_api_key,
        base_addresses={"api": connections.stripe_api_base},
        http_client=http,
    )
    try:
        intents = await client.v1.payment_intents.list_async(params={"limit": 100})
        charges = [
            Charge(intent.id, _metadata(intent).get("order_id"), int(intent.amount), intent.created)
            async for intent in intents.auto_paging_iter()
            if intent.status == "succeeded"
        ]
        listed = await client.v1.refunds.list_async(params={"limit": 100})
        refunds = [
            Refund(
                refund.id,
                _id(refund.payment_intent),
                int(refund.amount),
                str(refund.status),
                refund.created,
            )
            async for refund in listed.auto_paging_iter()
        ]
    finally:
        await cast("Any", http).close_async()  # untyped in the SDK
    return charges, refunds


def _id(reference: Any) -> str | None:
    """An expandable Stripe reference: an id, or the object itself."""
    return reference if isinstance(reference, str) or reference is None else str(reference.id)


def _metadata(intent: Any) -> Mapping[str, str]:
    metadata = intent.metadata
    return cast("Mapping[str, str]", metadata.to_dict() if metadata is not None else {})
