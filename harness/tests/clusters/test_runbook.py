"""docs/dev-cluster.md says what the code does: the minimum versions preflight enforces."""

from __future__ import annotations

from ticketing_harness.clusters.paths import repo_root
from ticketing_harness.clusters.tools import TOOLS

RUNBOOK = repo_root() / "docs" / "dev-cluster.md"


def _section(title: str) -> str:
    text = RUNBOOK.read_text()
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def test_the_prerequisites_list_the_exact_versions_preflight_enforces() -> None:
    prerequisites = _section("Prerequisites")
    rows = {
        line.split("|")[1].strip(): line.split("|")[2].strip()
        for line in prerequisites.splitlines()
        if line.startswith("| `")
    }

    for name, tool in TOOLS.items():
        row = next(minimum for program, minimum in rows.items() if f"`{name}`" in program)
        expected = ".".join(map(str, tool.minimum)) if tool.minimum else "any"
        assert row == (f"{name} {expected}" if tool.minimum else expected), name
