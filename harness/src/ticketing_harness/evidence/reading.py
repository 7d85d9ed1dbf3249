"""Taking a snapshot of a running stack: every store its access reaches, read at one moment."""

from __future__ import annotations

from collections.abc import Collection

from ticketing_common.bus import Bus
from ticketing_common.contracts import load_catalog
from ticketing_harness.evidence.access import StackAccess
from ticketing_harness.evidence.snapshot import TABLES, ServiceRecords, Snapshot
from ticketing_harness.evidence.stores import bus, database
from ticketing_harness.evidence.stream import read_consumers, read_stream
from ticketing_harness.evidence.stripe import read_stripe
from ticketing_harness.evidence.tables import read_service


async def take_snapshot(
    access: StackAccess,
    *,
    tickets: Collection[str] | None = None,
    history: bool = True,
    broker: bool = True,
) -> Snapshot:
    """Read what the stores hold: every record, or those of `tickets` (their orders, payments
    and charges) on a stack that holds others too.

    `history` adds each database's outbox, processed events and audit; `broker` the stream,
    the dead letters and the consumers. What `access` does not reach stays out.
    """
    owners: dict[str, Collection[str]] | None = None if tickets is None else {"tickets": tickets}
    databases: dict[str, ServiceRecords] = {}
    for service in TABLES:  # tickets and orders first: payments' rows belong to their orders
        if service not in access.databases or (service == "payments" and _unknown(owners)):
            continue
        async with database(service, access.databases[service]) as conn:
            databases[service] = await read_service(conn, service, owners=owners, history=history)
        if owners is not None and service == "orders":
            owners["orders"] = [str(row["id"]) for row in databases["orders"].tables["orders"]]
    stream = dead_letters = consumers = None
    if broker and access.nats_url is not None:
        async with bus(access.nats_url) as connection:
            js = connection.jetstream()
            stream, consumers = await read_stream(js), await read_consumers(js)
            dead_letters = await Bus(connection, load_catalog()).dead_letters()
    stripe = None
    if access.stripe is not None and not _unknown(owners):
        stripe = await read_stripe(access.stripe)
        if owners is not None:
            stripe = stripe.of_orders(set(owners["orders"]))
    return Snapshot(databases, stream, dead_letters, consumers, stripe)


def _unknown(owners: dict[str, Collection[str]] | None) -> bool:
    """Whether the run's orders are unknown (their database was not read): a snapshot of some
    tickets cannot tell which payments and charges are theirs."""
    return owners is not None and "orders" not in owners
