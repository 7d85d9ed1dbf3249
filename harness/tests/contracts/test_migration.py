"""Migrating an event to a new major version: consumers first read both, then the producer moves.

A copy of the contracts gets `ticket.updated.v2.json` (the seller renamed `sellerId`); the
check names every step still missing, and a listener that reads both versions applies both.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest

from ticketing_common.bus import Bus
from ticketing_common.contracts import Catalog, load_catalog
from ticketing_common.envelope import Envelope
from ticketing_common.events import EventData, TicketUpdated
from ticketing_common.listeners import Consumer, DeliveryPolicy, Listener, Verdict
from ticketing_common.wire import Price, Title, Uuid, Version
from ticketing_harness.contracts.check import check
from ticketing_harness.contracts.evolution import Verdict as Change
from ticketing_harness.contracts.evolution import diff_roots

from .copies import Edit, contracts_copy, edit_catalog, event_entry

pytestmark = pytest.mark.contract


class TicketUpdatedV2(EventData):
    """ticket.updated, major version 2: the seller is `sellerId`."""

    event_type: ClassVar[str] = "ticket.updated"
    schema_version: ClassVar[int] = 2
    id: Uuid
    version: Version
    title: Title
    price: Price
    seller_id: Uuid
    order_id: Uuid | None


def _add_v2(root: Path) -> None:
    schema = json.loads((root / "events/ticket.updated.v1.json").read_text())
    schema["$id"] = schema["$id"].replace(".v1.json", ".v2.json")
    schema["properties"]["sellerId"] = schema["properties"].pop("userId")
    schema["required"] = [("sellerId" if r == "userId" else r) for r in schema["required"]]
    for example in schema["examples"]:
        example["sellerId"] = example.pop("userId")
    (root / "events/ticket.updated.v2.json").write_text(json.dumps(schema, indent=2))


def _versions(published: int) -> Edit:
    return edit_catalog(
        lambda d: event_entry(d, "ticket.updated").update(
            version=published, versions=[1, 2], schema=f"events/ticket.updated.v{published}.json"
        )
    )


@pytest.fixture
def consumers_first(tmp_path: Path) -> Path:
    """Step 1: v2 is declared for consumers to read; the publisher still writes v1."""
    return contracts_copy(tmp_path, _add_v2, _versions(published=1))


@pytest.fixture
async def migrating_bus(nats_url: str, consumers_first: Path) -> AsyncIterator[Bus]:
    bus = await Bus.connect(nats_url, name="test", catalog=load_catalog(consumers_first))
    yield bus
    await bus.close()


def test_the_new_major_is_a_new_file_to_diff(tmp_path: Path, consumers_first: Path) -> None:
    changes = {c.file: c for c in diff_roots(contracts_copy(tmp_path / "before"), consumers_first)}
    assert changes["ticket.updated.v2.json"].verdict is Change.NEW
    assert changes["ticket.updated.v1.json"].verdict is Change.COMPATIBLE


def test_check_names_consumers_that_cannot_read_the_new_major(consumers_first: Path) -> None:
    problems = check(consumers_first)
    assert any(
        "orders-ticket-updated: cannot read ticket.updated version(s) [2]" in p for p in problems
    ), problems


def test_check_names_a_producer_still_writing_the_old_major(tmp_path: Path) -> None:
    producer_moved = contracts_copy(tmp_path, _add_v2, _versions(published=2))
    problems = check(producer_moved)
    assert any(
        "ticket.updated: publishes version 1, but the catalog's version is 2" in p for p in problems
    ), problems


def _updates(catalog: Catalog) -> tuple[Envelope, Envelope]:
    ticket, seller = uuid.uuid4(), uuid.uuid4()
    fields: dict[str, Any] = dict(
        id=ticket, version=1, title="Gig", price=Decimal("5.00"), order_id=None
    )
    old = Envelope.wrap(TicketUpdated(**fields, user_id=seller), catalog=catalog)
    new = Envelope.wrap(TicketUpdatedV2(**fields, seller_id=seller), catalog=catalog)
    return old, new


async def test_a_consumer_reading_both_majors_applies_both(migrating_bus: Bus) -> None:
    sellers: list[uuid.UUID] = []

    async def handle(data: TicketUpdated | TicketUpdatedV2, envelope: Envelope) -> None:
        sellers.append(data.user_id if isinstance(data, TicketUpdated) else data.seller_id)

    both = Listener("dual", TicketUpdated, handle, DeliveryPolicy(), also_reads=(TicketUpdatedV2,))
    old, new = _updates(migrating_bus.catalog)
    assert (old.schema_version, new.schema_version) == (1, 2)
    consumer = Consumer(migrating_bus, both)
    outcomes = [await consumer.process(e.to_bytes()) for e in (old, new)]
    assert [o.verdict for o in outcomes] == [Verdict.APPLIED, Verdict.APPLIED]
    assert [str(s) for s in sellers] == [old.data["userId"], new.data["sellerId"]]


async def test_a_consumer_reading_only_the_old_major_dead_letters_the_new(
    migrating_bus: Bus,
) -> None:
    async def handle(data: TicketUpdated, envelope: Envelope) -> None:
        pass

    old_only = Consumer(migrating_bus, Listener("old-only", TicketUpdated, handle))
    _, new = _updates(migrating_bus.catalog)
    outcome = await old_only.process(new.to_bytes())
    assert outcome.verdict is Verdict.REJECTED
    assert "no model for schemaVersion 2" in outcome.reason
