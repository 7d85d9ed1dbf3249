"""The code inspection behind `contracts check`, run on broken copies of a service's code."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ticketing_harness.contracts.check import CheckOptions, check
from ticketing_harness.contracts.inspection import package_dir
from ticketing_harness.contracts.sources import default_root

pytestmark = pytest.mark.contract

STRAY_LISTENER = """
from ticketing_common.events import PaymentCreated


def listeners(db: Database, settings: Settings) -> list[Listener[Any]]:
    policy = delivery_policy(settings)
    return transactional_listeners(
        db, [("tickets-payment-created", PaymentCreated, handlers.reserve_ticket, policy)]
    )
"""
STRAY_RECORD = """

from ticketing_common.events import OrderCancelled, TicketRef


def cancel_everything(ticket: Ticket) -> None:
    ticket.record(OrderCancelled(id=ticket.id, version=1, ticket=TicketRef(id=ticket.id)))
"""


@pytest.fixture
def broken_tickets(tmp_path: Path) -> Iterator[Path]:
    """A copy of the tickets package, importable as `tickets_broken`, for a test to break."""
    source = package_dir("tickets")
    assert source is not None
    copy = tmp_path / "tickets_broken"
    shutil.copytree(source, copy)
    sys.path.insert(0, str(tmp_path))
    yield copy
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.startswith("tickets_broken")]:
        del sys.modules[name]


def _check(packages: dict[str, str]) -> list[str]:
    return check(default_root(), CheckOptions(packages=packages))


def test_an_unchanged_copy_agrees(broken_tickets: Path) -> None:
    assert _check({"tickets": "tickets_broken"}) == []


def test_a_listener_for_an_event_the_service_does_not_consume(broken_tickets: Path) -> None:
    listeners = broken_tickets / "listeners.py"
    listeners.write_text(listeners.read_text() + STRAY_LISTENER)
    problems = _check({"tickets": "tickets_broken"})
    where = str(listeners)
    assert any(
        p.startswith(f"{where}: tickets-payment-created: tickets listens to payment.created but")
        for p in problems
    ), problems
    assert any(
        "tickets is a declared consumer of order.created but has no listener" in p for p in problems
    )


def test_an_event_recorded_by_a_service_that_is_not_its_publisher(broken_tickets: Path) -> None:
    domain = broken_tickets / "domain.py"
    text = domain.read_text() + STRAY_RECORD
    domain.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "record(OrderCancelled" in row)
    problems = _check({"tickets": "tickets_broken"})
    assert (
        f"{domain}:{line}: order.cancelled: tickets publishes it, but its declared publisher "
        "is orders"
    ) in problems, problems
