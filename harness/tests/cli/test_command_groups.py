"""Command groups of other packages come through the `ticketing.commands` entry point: the
harness never imports the chaos suite, which builds on it."""

from __future__ import annotations

import ast
from importlib.metadata import entry_points
from pathlib import Path

import ticketing_harness
from ticketing_harness.testing.stacks import run_ticketing

HARNESS = Path(ticketing_harness.__file__).parent


def test_the_harness_imports_nothing_of_the_chaos_suite() -> None:
    importers = []
    for module in HARNESS.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name.split(".")[0] == "ticketing_chaos" for name in names):
                importers.append(str(module.relative_to(HARNESS)))
    assert importers == []


def test_the_chaos_group_is_found_through_its_entry_point() -> None:
    declared = {entry.name: entry.value for entry in entry_points(group="ticketing.commands")}
    assert declared["chaos"] == "ticketing_chaos.command:app"
    result = run_ticketing("chaos", "--help")
    assert result.returncode == 0, result.stderr
    assert "explore" in result.stdout and "canaries" in result.stdout
