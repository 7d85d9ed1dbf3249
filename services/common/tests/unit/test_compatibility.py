"""Schema evolution: within a major version a schema may only change compatibly."""

from __future__ import annotations

import copy
import importlib.util
import json
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ticketing_common.contracts import DEFAULT_ROOT


def _compatibility() -> ModuleType:
    """contracts/compatibility.py, which is a script rather than part of a package."""
    spec = importlib.util.spec_from_file_location(
        "compatibility", DEFAULT_ROOT / "compatibility.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


COMPATIBILITY = _compatibility()
RELEASED: dict[str, Any] = json.loads((DEFAULT_ROOT / "events/order.created.v1.json").read_text())


def _changed(change: Any) -> dict[str, Any]:
    schema = copy.deepcopy(RELEASED)
    change(schema)
    return schema


def _add_required_note(schema: dict[str, Any]) -> None:
    schema["properties"]["note"] = {"type": "string"}
    schema["required"].append("note")


def test_committed_schemas_are_compatible_with_their_released_versions() -> None:
    assert COMPATIBILITY.check() == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda s: s["properties"].pop("userId"), "data.userId: removed"),
        (_add_required_note, "data.note: became required"),
        (lambda s: s["properties"]["version"].update(type="string"), "data.version: type"),
        (lambda s: s["properties"]["status"]["enum"].remove("complete"), "data.status: enum"),
        (
            lambda s: s["properties"]["ticket"]["properties"]["price"].update(pattern="^[0-9]+$"),
            "data.ticket.price: pattern changed",
        ),
        (lambda s: s["properties"]["version"].update(minimum=1), "data.version: minimum"),
    ],
)
def test_breaking_change_is_reported(change: Any, problem: str) -> None:
    problems = COMPATIBILITY.breaking_changes(RELEASED, _changed(change))
    assert any(p.startswith(problem) for p in problems), problems


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s["properties"].update(note={"type": "string"}),
        lambda s: s["properties"]["status"]["enum"].append("refunded"),
        lambda s: s["properties"]["version"].update(type=["integer", "null"]),
        lambda s: s["properties"]["version"].pop("minimum"),
        lambda s: s.update(description="Reworded."),
    ],
)
def test_compatible_change_is_accepted(change: Any) -> None:
    assert COMPATIBILITY.breaking_changes(RELEASED, _changed(change)) == []


def test_unreleased_schema_is_reported_and_release_records_it(tmp_path: Path) -> None:
    root = tmp_path / "contracts"
    shutil.copytree(DEFAULT_ROOT / "events", root / "events")
    assert all("never released" in p for p in COMPATIBILITY.check(root))
    COMPATIBILITY.release(root)
    assert COMPATIBILITY.check(root) == []


def test_release_refuses_a_breaking_change(tmp_path: Path) -> None:
    root = tmp_path / "contracts"
    shutil.copytree(DEFAULT_ROOT / "events", root / "events")
    COMPATIBILITY.release(root)
    schema_path = root / "events/order.created.v1.json"
    schema = json.loads(schema_path.read_text())
    schema["properties"].pop("userId")
    schema_path.write_text(json.dumps(schema))
    with pytest.raises(SystemExit, match="userId: removed"):
        COMPATIBILITY.release(root)
