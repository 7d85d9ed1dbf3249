"""Schema evolution: a schema may change within its major version only compatibly.

Every event schema has a released copy in `contracts/released/`. The current schema must
accept everything the released one accepts (consumers read events still in the stream,
written under the released schema), so within a major version it may add optional
properties, widen types and enums, and loosen bounds, but never remove or rename a
property, make one required, or narrow what a value may be. A breaking change is a new
major version: a new `<type>.v2.json` next to v1.

Usage: `python contracts/compatibility.py` exits 1 and lists every breaking change;
`--release` records the current schemas as released, after a compatible change.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

CONTRACTS = Path(__file__).resolve().parent
RELEASED = CONTRACTS / "released"

Schema = dict[str, Any]
# Bounds that reject more values when they grow, and those that reject more when they shrink.
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")


def breaking_changes(released: Schema, current: Schema, path: str = "data") -> list[str]:
    """What `current` rejects that `released` accepted, one line each (empty: compatible)."""
    problems: list[str] = []
    if not _types(released) <= _types(current):
        problems.append(f"{path}: type {_types(released)} became {_types(current)}")
    for key in ("pattern", "format", "const"):
        if key in current and current[key] != released.get(key):
            problems.append(f"{path}: {key} changed to {current[key]!r}")
    if _narrowed_enum(released, current):
        problems.append(f"{path}: enum narrowed to {current['enum']}")
    problems += _tightened_bounds(released, current, path)
    if "object" in _types(released):
        problems += _object_changes(released, current, path)
    return problems


def _types(schema: Schema) -> set[str]:
    declared = schema.get("type")
    if declared is None:
        return {"any"}
    return {declared} if isinstance(declared, str) else set(declared)


def _narrowed_enum(released: Schema, current: Schema) -> bool:
    if "enum" not in current:
        return False
    return "enum" not in released or not set(released["enum"]) <= set(current["enum"])


def _tightened_bounds(released: Schema, current: Schema, path: str) -> list[str]:
    problems = []
    for key in _LOWER_BOUNDS + _UPPER_BOUNDS:
        if key not in current:
            continue
        before = released.get(key)
        tighter = before is None or (
            current[key] > before if key in _LOWER_BOUNDS else current[key] < before
        )
        if tighter:
            problems.append(f"{path}: {key} tightened to {current[key]}")
    return problems


def _object_changes(released: Schema, current: Schema, path: str) -> list[str]:
    problems = []
    closed = current.get("additionalProperties") is False
    if closed and released.get("additionalProperties") is not False:
        problems.append(f"{path}: no longer accepts additional properties")
    properties = current.get("properties", {})
    for name, released_property in released.get("properties", {}).items():
        if name in properties:
            problems += breaking_changes(released_property, properties[name], f"{path}.{name}")
        elif closed:
            problems.append(f"{path}.{name}: removed")
    newly_required = set(current.get("required", [])) - set(released.get("required", []))
    problems += [f"{path}.{name}: became required" for name in sorted(newly_required)]
    return problems


def check(contracts: Path = CONTRACTS) -> list[str]:
    """Every breaking change of every event schema against its released copy."""
    problems = []
    for schema_path in sorted((contracts / "events").glob("*.json")):
        released_path = contracts / "released" / schema_path.name
        if not released_path.exists():
            problems.append(f"{schema_path.name}: never released (run with --release)")
            continue
        released, current = (json.loads(p.read_text()) for p in (released_path, schema_path))
        problems += [f"{schema_path.name}: {p}" for p in breaking_changes(released, current)]
    return problems


def release(contracts: Path = CONTRACTS) -> None:
    """Record the current schemas as released; refuses while any change is breaking."""
    problems = [p for p in check(contracts) if "never released" not in p]
    if problems:
        raise SystemExit("breaking changes need a new major version:\n" + "\n".join(problems))
    (contracts / "released").mkdir(exist_ok=True)
    for schema_path in (contracts / "events").glob("*.json"):
        shutil.copyfile(schema_path, contracts / "released" / schema_path.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", action="store_true", help="record the current schemas")
    if parser.parse_args().release:
        release()
        return
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
