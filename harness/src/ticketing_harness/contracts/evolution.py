"""How event schemas changed between two sets of contracts, and the released copies."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from ticketing_common.contracts import Problem
from ticketing_harness.contracts.compatibility import breaking_changes
from ticketing_harness.errors import HarnessError

EVENTS_DIR = "events"
RELEASED_DIR = "released"


class Verdict(StrEnum):
    """What a change of one event schema file means for its producers and consumers."""

    COMPATIBLE = "compatible"
    BREAKING = "breaking"
    NEW = "new"
    REMOVED = "removed"


@dataclass(frozen=True)
class SchemaChange:
    """The verdict on one schema file (one event at one major version), with its reasons."""

    file: str
    verdict: Verdict
    reasons: list[str] = field(default_factory=list)


def schemas_in(directory: Path) -> dict[str, dict[str, Any]]:
    """Every schema file in a directory, by file name."""
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.json"))
    }


def compare(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[SchemaChange]:
    """The verdict on every schema file in either set, in file name order."""
    changes = []
    for name in sorted(old.keys() | new.keys()):
        if name not in old:
            changes.append(SchemaChange(name, Verdict.NEW, [_new_reason(name, old)]))
        elif name not in new:
            reason = "no longer declared: its events can no longer be read"
            changes.append(SchemaChange(name, Verdict.REMOVED, [reason]))
        else:
            reasons = breaking_changes(old[name], new[name])
            verdict = Verdict.BREAKING if reasons else Verdict.COMPATIBLE
            changes.append(SchemaChange(name, verdict, reasons))
    return changes


def _new_reason(name: str, old: dict[str, dict[str, Any]]) -> str:
    event_type = name.rsplit(".v", 1)[0]
    if any(other.rsplit(".v", 1)[0] == event_type for other in old):
        return "a new major version of an existing event"
    return "a new event"


def diff_roots(old_root: Path, new_root: Path) -> list[SchemaChange]:
    """`ticketing contracts diff`: the verdict on each event schema between two contract roots."""
    return compare(schemas_in(old_root / EVENTS_DIR), schemas_in(new_root / EVENTS_DIR))


def breaks_against(baseline: Path, root: Path, label: str) -> list[Problem]:
    """A problem for every schema in `root` that breaks its copy in `baseline`."""
    problems = []
    for change in diff_roots(baseline, root):
        where = f"{EVENTS_DIR}/{change.file}"
        if change.verdict is Verdict.BREAKING:
            problems += [_problem(where, reason, label) for reason in change.reasons]
    return problems


def unreleased(root: Path) -> list[Problem]:
    """Breaks against the released copies, and schemas never released."""
    released = root / RELEASED_DIR
    problems = []
    for change in compare(schemas_in(released), schemas_in(root / EVENTS_DIR)):
        where = f"{EVENTS_DIR}/{change.file}"
        if change.verdict is Verdict.NEW:
            problems.append(
                Problem(where, "(file)", "never released: run `ticketing contracts release`")
            )
        elif change.verdict is Verdict.BREAKING:
            problems += [_problem(where, reason, "its released copy") for reason in change.reasons]
    return problems


def release(root: Path) -> list[str]:
    """Copy the current schemas to released/, refusing while any breaks its released copy.

    Returns:
        The files recorded (new or changed).
    """
    breaks = [p for p in unreleased(root) if p.field != "(file)"]
    if breaks:
        lines = "\n".join(str(p) for p in breaks)
        raise HarnessError(f"breaking changes need a new major version file:\n{lines}")
    released = root / RELEASED_DIR
    released.mkdir(exist_ok=True)
    recorded = []
    for path in sorted((root / EVENTS_DIR).glob("*.json")):
        target = released / path.name
        if not target.exists() or target.read_bytes() != path.read_bytes():
            shutil.copyfile(path, target)
            recorded.append(f"{RELEASED_DIR}/{path.name}")
    return recorded


def _problem(file: str, reason: str, against: str) -> Problem:
    field, _, message = reason.partition(": ")
    return Problem(file, field, f"{message} (against {against})")
