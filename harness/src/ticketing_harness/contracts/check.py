"""`ticketing contracts check`: every rule over the contracts, the code and maybe the broker."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ticketing_common.contracts import Catalog, CatalogError, Problem, load_catalog
from ticketing_common.events import EVENT_MODELS
from ticketing_harness.contracts.agreement import Code, agreement_problems, inspect_code
from ticketing_harness.contracts.evolution import breaks_against, unreleased
from ticketing_harness.contracts.inspection import InspectionError
from ticketing_harness.contracts.lint import schema_problems
from ticketing_harness.contracts.live import broker_problems
from ticketing_harness.contracts.models import model_problems
from ticketing_harness.contracts.sources import contracts_at, default_root
from ticketing_harness.events.connection import tool_bus


@dataclass(frozen=True)
class CheckOptions:
    """What to check besides the contracts and the code."""

    against: str | None = None
    nats_url: str | None = None
    packages: Mapping[str, str] | None = None


def check(root: Path, options: CheckOptions = CheckOptions()) -> list[str]:
    """Every problem, one line each, naming the file and the field; empty when all agree."""
    try:
        catalog = load_catalog(root)
    except CatalogError as error:
        return [_line(root, p) for p in error.problems]
    problems = schema_problems(catalog)
    try:
        code = inspect_code(catalog, options.packages)
    except InspectionError as error:
        return [_line(root, p) for p in problems] + [f"inspection: {error}"]
    problems += agreement_problems(catalog, code)
    problems += model_problems(catalog, _models(code))
    problems += unreleased(root)
    if options.against is not None:
        # A ref names a commit of the repository these tools ship with.
        with contracts_at(options.against, default_root()) as baseline:
            problems += breaks_against(baseline, root, options.against)
    if options.nats_url is not None:
        problems += asyncio.run(_live(options.nats_url, catalog, code))
    return [_line(root, p) for p in problems]


def _models(code: Code) -> set[type]:
    return {
        *EVENT_MODELS.values(),
        *(model for d in code.listeners for model in d.listener.models),
        *(site.model for site in code.sites),
    }


async def _live(url: str, catalog: Catalog, code: Code) -> list[Problem]:
    async with tool_bus(url, catalog) as bus:
        return await broker_problems(bus, code.listeners)


def _line(root: Path, problem: Problem) -> str:
    """`file: field: message`, a contract file shown with the contracts' directory."""
    file = problem.file
    if (root / file).exists() or file.startswith(("events/", "released/")):
        file = _display(root / file)
    return f"{file}: {problem.field}: {problem.message}"


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
