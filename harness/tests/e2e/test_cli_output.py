"""`status` of the session's stack as a CI log gets it (no terminal, 80 columns): nothing cut."""

from __future__ import annotations

import json
import re

import pytest

from ticketing_harness.testing.stacks import RunningStack

pytestmark = [pytest.mark.xdist_group("stack"), pytest.mark.timeout(300)]


def test_status_shows_every_process_with_its_whole_log_path_on_one_line(
    stack: RunningStack,
) -> None:
    text = stack.ticketing("status")
    assert text.returncode == 0, text.stdout + text.stderr
    components = json.loads(stack.ticketing("status", "--json").stdout)["components"]
    lines = text.stdout.splitlines()
    assert "…" not in text.stdout
    for component in components:
        cells = [component["name"], "ready", str(component["pid"]), str(component["port"])]
        row = f"│ {component['name']} "
        [line] = [line for line in lines if line.startswith(row)]
        assert all(f" {cell} " in line for cell in cells), line
        assert re.search(rf" {re.escape(component['log'])} +│$", line), line
