"""`ticketing contracts check` on the real contracts, and on copies broken on purpose."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ticketing_harness.contracts.check import CheckOptions, check
from ticketing_harness.contracts.sources import default_root
from ticketing_harness.testing.stacks import run_ticketing

from .copies import Edit, contracts_copy, edit_catalog, edit_schema, event_entry, undeclare

pytestmark = pytest.mark.contract

ORDER_CREATED = "events/order.created.v1.json"


def _remove_required(field: str) -> Edit:
    def change(schema: dict[str, Any]) -> None:
        schema["properties"].pop(field)
        schema["required"].remove(field)
        for example in schema["examples"]:
            example.pop(field)

    return edit_schema(ORDER_CREATED, change)


def _publisher(event_type: str, service: str) -> Edit:
    return edit_catalog(lambda d: event_entry(d, event_type).update(publisher=service))


def _narrow_version_type(schema: dict[str, Any]) -> None:
    schema["properties"]["version"].update(type="integer", minimum=1)
    for example in schema["examples"]:
        example["version"] = max(example["version"], 1)


BREAKS = [
    pytest.param(
        [_remove_required("userId")],
        [
            "contracts/events/order.created.v1.json: data.userId: removed, but today's "
            "consumers require it (against its released copy)",
        ],
        id="required-field-removed",
    ),
    pytest.param(
        [edit_schema(ORDER_CREATED, _narrow_version_type)],
        ["contracts/events/order.created.v1.json: data.version: minimum tightened to 1"],
        id="type-narrowed",
    ),
    pytest.param(
        [_publisher("ticket.created", "orders")],
        [
            "services/tickets/src/tickets/domain.py:{line}: ticket.created: tickets publishes it, "
            "but its declared publisher is orders",
            "contracts/catalog.yaml: events[0].publisher: orders never publishes ticket.created",
        ],
        id="event-moved-to-another-publisher",
    ),
    pytest.param(
        undeclare("expiration.complete"),
        [
            "services/orders/src/orders/listeners.py: orders-expiration-complete: listens to "
            "expiration.complete, which the catalog does not declare",
            "services/expiration/src/expiration/jobs.py:{line}: expiration.complete: expiration "
            "publishes it, but it is not declared",
        ],
        id="listener-for-an-undeclared-event",
    ),
    pytest.param(
        [edit_catalog(lambda d: event_entry(d, "order.completed").update(consumers=[]))],
        [
            "services/payments/src/payments/listeners.py: payments-order-completed: payments "
            "listens to order.completed but is not among its declared consumers []",
            "contracts/catalog.yaml: events[4].consumers: nobody consumes order.completed",
        ],
        id="listener-of-an-undeclared-consumer-and-nobody-consumes",
    ),
    pytest.param(
        [
            edit_catalog(
                lambda d: event_entry(d, "order.cancelled")["consumers"].append("expiration")
            )
        ],
        [
            "contracts/catalog.yaml: events[3].consumers[2]: expiration is a declared consumer "
            "of order.cancelled but has no listener for it",
        ],
        id="declared-consumer-without-listener",
    ),
    pytest.param(
        [
            edit_catalog(
                lambda d: event_entry(d, "order.cancelled").update(subject="events.order.created")
            )
        ],
        [
            "contracts/catalog.yaml: events[3].subject: events.order.created is already the "
            "subject of order.created",
        ],
        id="two-events-on-one-subject",
    ),
    pytest.param(
        [
            edit_schema(
                ORDER_CREATED, lambda s: s["properties"]["ticket"].pop("additionalProperties")
            )
        ],
        ["contracts/events/order.created.v1.json: data.ticket: not closed"],
        id="schema-not-closed",
    ),
    pytest.param(
        [edit_schema(ORDER_CREATED, lambda s: s.pop("examples"))],
        ["contracts/events/order.created.v1.json: examples: none"],
        id="schema-without-examples",
    ),
    pytest.param(
        [edit_schema(ORDER_CREATED, lambda s: s["properties"]["version"].update(minimum="zero"))],
        ["contracts/events/order.created.v1.json: properties.version.minimum: 'zero' is not"],
        id="not-draft-2020-12",
    ),
    pytest.param(
        [
            edit_schema(
                ORDER_CREATED,
                lambda s: s["properties"].update(note={"type": "string", "description": "x"}),
            )
        ],
        [
            "contracts/events/order.created.v1.json: data.note: in the schema, not in the "
            "model (model OrderCreated)",
        ],
        id="model-and-schema-disagree",
    ),
]


@pytest.fixture(autouse=True)
def _from_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    """Problems name files relative to the working directory: run from the repository."""
    monkeypatch.chdir(default_root().parent)


def test_the_real_contracts_and_code_agree() -> None:
    assert check(default_root()) == []


@pytest.mark.parametrize(("edits", "expected"), BREAKS)
def test_a_deliberate_break_is_named_with_its_file_and_field(
    tmp_path: Path, edits: list[Edit], expected: list[str]
) -> None:
    root = contracts_copy(tmp_path, *edits)
    problems = [p.replace(str(root), "contracts") for p in check(root)]
    for line in expected:
        pattern = re.compile(re.escape(line).replace(r"\{line\}", r"\d+"))
        assert any(pattern.match(p) for p in problems), problems


def test_check_command_prints_one_line_per_problem_and_fails(tmp_path: Path) -> None:
    root = contracts_copy(
        tmp_path, _remove_required("userId"), _publisher("ticket.created", "orders")
    )
    result = run_ticketing("contracts", "check", "--contracts", str(root))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) >= 3, result.stderr
    assert all(line.startswith(("services/", str(root))) for line in lines), lines
    assert "Traceback" not in result.stderr


def test_check_command_passes_on_the_repository() -> None:
    result = run_ticketing("contracts", "check")
    assert result.returncode == 0, result.stderr
    assert "agree" in result.stdout


def test_check_against_a_git_ref_compares_with_that_commit(tmp_path: Path) -> None:
    root = contracts_copy(tmp_path, _remove_required("userId"))
    # The released copy already knows the change, so only the ref catches it.
    (root / "released" / "order.created.v1.json").write_text((root / ORDER_CREATED).read_text())
    problems = check(root, CheckOptions(against="HEAD"))
    assert any("data.userId: removed" in p and "(against HEAD)" in p for p in problems), problems
