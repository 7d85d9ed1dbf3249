"""Copies of the real contracts for tests to break on purpose."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ticketing_harness.contracts.sources import default_root

Edit = Callable[[Path], None]


def contracts_copy(tmp_path: Path, *edits: Edit) -> Path:
    """A copy of the shipped contracts under `tmp_path`, with `edits` applied."""
    root = tmp_path / "contracts"
    shutil.copytree(default_root(), root)
    for edit in edits:
        edit(root)
    return root


def edit_catalog(change: Callable[[dict[str, Any]], None]) -> Edit:
    def edit(root: Path) -> None:
        declared = yaml.safe_load((root / "catalog.yaml").read_text())
        change(declared)
        (root / "catalog.yaml").write_text(yaml.safe_dump(declared, sort_keys=False))

    return edit


def edit_schema(relative: str, change: Callable[[dict[str, Any]], None]) -> Edit:
    def edit(root: Path) -> None:
        schema = json.loads((root / relative).read_text())
        change(schema)
        (root / relative).write_text(json.dumps(schema, indent=2))

    return edit


def event_entry(declared: dict[str, Any], event_type: str) -> dict[str, Any]:
    entry: dict[str, Any] = next(e for e in declared["events"] if e["type"] == event_type)
    return entry


def undeclare(event_type: str) -> list[Edit]:
    """Remove an event from the catalog and the envelope's list of types."""

    def drop(declared: dict[str, Any]) -> None:
        declared["events"].remove(event_entry(declared, event_type))

    return [
        edit_catalog(drop),
        edit_schema(
            "envelope.v1.json", lambda s: s["properties"]["type"]["enum"].remove(event_type)
        ),
    ]
