"""Schema evolution within a major version, for consumers that read tolerantly.

Two rules, both checked: data written by the new producer must be readable by today's
consumers, and data already in the stream must be readable by the new consumers. Consumers
ignore properties they do not know, so adding or removing an optional property is safe;
anything that changes which values a field accepts, in either direction, or which fields
are required, is a break and needs a new major version (`<type>.v2.json`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Schema = Mapping[str, Any]

_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_EXACT = ("const", "multipleOf", "format", "pattern", "uniqueItems")

NARROWED = "events already in the stream may no longer validate for the new consumers"
WIDENED = "today's consumers would reject what the new producer may write"


def breaking_changes(old: Schema, new: Schema, path: str = "data") -> list[str]:
    """Every break between two schemas of one major version, as `path: what and why`."""
    problems = _type_changes(old, new, path) + _enum_changes(old, new, path)
    problems += _bound_changes(old, new, path)
    for key in _EXACT:
        if old.get(key) != new.get(key):
            problems.append(
                f"{path}: {key} changed from {old.get(key)!r} to {new.get(key)!r}: "
                f"{_why(key not in old, key not in new)}"
            )
    problems += _property_changes(old, new, path)
    old_items, new_items = old.get("items"), new.get("items")
    if isinstance(old_items, Mapping) and isinstance(new_items, Mapping):
        problems += breaking_changes(old_items, new_items, f"{path}[]")
    return problems


def _why(narrower: bool, wider: bool) -> str:
    """The consequence of a change that rejects more (narrower), accepts more (wider), or both."""
    if narrower and not wider:
        return NARROWED
    if wider and not narrower:
        return WIDENED
    return f"{NARROWED}, and {WIDENED}"


def _types(schema: Schema) -> set[str] | None:
    declared = schema.get("type")
    if declared is None:
        return None
    return {declared} if isinstance(declared, str) else set(declared)


def _type_changes(old: Schema, new: Schema, path: str) -> list[str]:
    before, after = _types(old), _types(new)
    if before == after:
        return []
    narrower = after is not None and (before is None or not before <= after)
    wider = before is not None and (after is None or not after <= before)
    return [
        f"{path}: type {_text(before)} became {_text(after)}: {_why(narrower, wider)}",
    ]


def _enum_changes(old: Schema, new: Schema, path: str) -> list[str]:
    if old.get("enum") == new.get("enum"):
        return []
    before = set(old["enum"]) if "enum" in old else None
    after = set(new["enum"]) if "enum" in new else None
    narrower = after is not None and (before is None or not before <= after)
    wider = before is not None and (after is None or not after <= before)
    word = "narrowed" if narrower and not wider else "widened" if wider else "changed"
    return [f"{path}: enum {word} to {_text(after)}: {_why(narrower, wider)}"]


def _bound_changes(old: Schema, new: Schema, path: str) -> list[str]:
    problems = []
    for key in _LOWER_BOUNDS + _UPPER_BOUNDS:
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if after is None or before is None:
            narrower = before is None
        else:
            narrower = after > before if key in _LOWER_BOUNDS else after < before
        word = "tightened" if narrower else "loosened"
        problems.append(f"{path}: {key} {word} to {after}: {_why(narrower, not narrower)}")
    return problems


def _property_changes(old: Schema, new: Schema, path: str) -> list[str]:
    problems = []
    before: Mapping[str, Any] = old.get("properties", {})
    after: Mapping[str, Any] = new.get("properties", {})
    was_required = set(old.get("required", []))
    is_required = set(new.get("required", []))
    for name, old_property in before.items():
        where = f"{path}.{name}"
        if name not in after:
            if name in was_required:
                problems.append(f"{where}: removed, but today's consumers require it")
        else:
            problems += breaking_changes(old_property, after[name], where)
            if name in is_required - was_required:
                problems.append(f"{where}: became required: {NARROWED}")
            elif name in was_required - is_required:
                problems.append(f"{where}: became optional: {WIDENED}")
    for name in sorted(is_required - set(before)):
        problems.append(f"{path}.{name}: added as required: {NARROWED}")
    return problems


def _text(values: set[Any] | None) -> str:
    return "anything" if values is None else str(sorted(values, key=str))
