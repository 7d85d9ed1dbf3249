"""Schema evolution: the compatibility rules, `contracts diff` and `contracts release`."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ticketing_common.contracts import load_catalog
from ticketing_harness.contracts.compatibility import breaking_changes
from ticketing_harness.contracts.evolution import release, unreleased
from ticketing_harness.errors import HarnessError
from ticketing_harness.testing.stacks import run_ticketing

from .copies import contracts_copy, edit_schema

pytestmark = pytest.mark.contract

RELEASED: dict[str, Any] = load_catalog().events["order.created"].schema
Change = Callable[[dict[str, Any]], Any]


def _changed(change: Change) -> dict[str, Any]:
    schema = copy.deepcopy(RELEASED)
    change(schema)
    return schema


def _add_required_note(schema: dict[str, Any]) -> None:
    schema["properties"]["note"] = {"type": "string"}
    schema["required"].append("note")


def _drop_required_user(schema: dict[str, Any]) -> None:
    schema["properties"].pop("userId")
    schema["required"].remove("userId")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (_drop_required_user, "data.userId: removed, but today's consumers require it"),
        (_add_required_note, "data.note: added as required"),
        (lambda s: s["required"].remove("expiresAt"), "data.expiresAt: became optional"),
        (lambda s: s["properties"]["version"].update(type="string"), "data.version: type"),
        (
            lambda s: s["properties"]["status"]["enum"].remove("complete"),
            "data.status: enum narrowed",
        ),
        (
            lambda s: s["properties"]["status"]["enum"].append("refunded"),
            "data.status: enum widened",
        ),
        (lambda s: s["properties"]["version"].update(minimum=1), "data.version: minimum tightened"),
        (lambda s: s["properties"]["version"].pop("minimum"), "data.version: minimum loosened"),
        (
            lambda s: s["properties"]["ticket"]["properties"]["price"].update(pattern="^[0-9]+$"),
            "data.ticket.price: pattern changed",
        ),
        (
            lambda s: s["properties"]["version"].update(type=["integer", "null"]),
            "data.version: type ['integer'] became ['integer', 'null']: today's consumers",
        ),
    ],
)
def test_breaking_change_is_reported_with_its_reason(change: Change, problem: str) -> None:
    problems = breaking_changes(RELEASED, _changed(change))
    assert any(p.startswith(problem) for p in problems), problems


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s["properties"].update(note={"type": "string"}),
        lambda s: s["properties"]["ticket"]["properties"].update(seat={"type": "string"}),
        lambda s: s.update(description="Reworded."),
        lambda s: s["examples"].pop(),
    ],
    ids=["optional-property-added", "nested-optional-added", "description", "examples"],
)
def test_compatible_change_is_accepted(change: Change) -> None:
    assert breaking_changes(RELEASED, _changed(change)) == []


def test_an_optional_property_may_be_removed_again() -> None:
    with_note = _changed(lambda s: s["properties"].update(note={"type": "string"}))
    assert breaking_changes(with_note, RELEASED) == []


def test_diff_gives_each_event_a_verdict_with_reasons(tmp_path: Path) -> None:
    old = contracts_copy(tmp_path / "old")
    new = contracts_copy(
        tmp_path / "new",
        edit_schema("events/order.created.v1.json", _drop_required_user),
        edit_schema(
            "events/ticket.created.v1.json",
            lambda s: s["properties"].update(note={"type": "string"}),
        ),
    )
    v2 = json.loads((new / "events/ticket.updated.v1.json").read_text())
    (new / "events/ticket.updated.v2.json").write_text(json.dumps(v2))
    result = run_ticketing("contracts", "diff", str(old), str(new), "--json")
    assert result.returncode == 0, result.stderr
    verdicts = {item["file"]: item for item in json.loads(result.stdout)}
    assert verdicts["order.created.v1.json"]["verdict"] == "breaking"
    assert verdicts["order.created.v1.json"]["reasons"][0].startswith("data.userId: removed")
    assert verdicts["ticket.created.v1.json"] == {
        "file": "ticket.created.v1.json",
        "verdict": "compatible",
        "reasons": [],
    }
    assert verdicts["ticket.updated.v2.json"]["verdict"] == "new"
    assert "new major version" in verdicts["ticket.updated.v2.json"]["reasons"][0]
    text = run_ticketing("contracts", "diff", str(old), str(new))
    assert "order.created.v1.json: breaking" in text.stdout
    assert "  data.userId: removed, but today's consumers require it" in text.stdout


def test_diff_reads_git_refs() -> None:
    result = run_ticketing("contracts", "diff", "HEAD", "HEAD", "--json")
    assert result.returncode == 0, result.stderr
    assert {item["verdict"] for item in json.loads(result.stdout)} == {"compatible"}


def test_diff_of_neither_directory_nor_ref_is_one_clear_error() -> None:
    result = run_ticketing("contracts", "diff", "no-such-ref", "HEAD")
    assert result.returncode == 1
    assert result.stderr.startswith("error: 'no-such-ref' is neither a directory nor a git ref")
    assert len(result.stderr.strip().splitlines()) == 1


def test_release_records_a_compatible_change_and_refuses_a_breaking_one(tmp_path: Path) -> None:
    root = contracts_copy(
        tmp_path,
        edit_schema("events/ticket.created.v1.json", lambda s: s.update(description="New.")),
    )
    assert unreleased(root) == []
    assert release(root) == ["released/ticket.created.v1.json"]
    edit_schema("events/order.created.v1.json", _drop_required_user)(root)
    with pytest.raises(HarnessError, match=r"data\.userId: removed"):
        release(root)
    result = run_ticketing("contracts", "release", "--contracts", str(root))
    assert result.returncode == 1
    assert "breaking changes need a new major version file" in result.stderr


def test_a_schema_never_released_is_reported(tmp_path: Path) -> None:
    root = contracts_copy(tmp_path)
    (root / "released/payment.created.v1.json").unlink()
    [problem] = unreleased(root)
    assert str(problem).startswith("events/payment.created.v1.json: (file): never released")
