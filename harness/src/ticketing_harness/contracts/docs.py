"""`ticketing contracts docs`: the generated documents, written or checked for staleness."""

from __future__ import annotations

from pathlib import Path

from ticketing_common.contracts import Catalog
from ticketing_harness.contracts.asyncapi import asyncapi_yaml
from ticketing_harness.contracts.diagram import source_digest, svg, svg_source_digest
from ticketing_harness.contracts.markdown import events_md

EVENTS_MD = "events.md"
ASYNCAPI_YAML = "asyncapi.yaml"
EVENTS_SVG = "events.svg"


DOCUMENTS = (EVENTS_MD, ASYNCAPI_YAML, EVENTS_SVG)


def render(catalog: Catalog, name: str) -> str:
    """One generated document (the SVG needs Graphviz)."""
    if name == EVENTS_SVG:
        return svg(catalog)
    return events_md(catalog, EVENTS_SVG) if name == EVENTS_MD else asyncapi_yaml(catalog)


def write(catalog: Catalog, docs_dir: Path) -> list[Path]:
    """Write the documents that are missing or out of date; returns them."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in stale(catalog, docs_dir):
        path = docs_dir / name
        path.write_text(render(catalog, name), encoding="utf-8")
        written.append(path)
    return written


def stale(catalog: Catalog, docs_dir: Path) -> list[str]:
    """The documents missing or out of date; the SVG by the digest of its source."""
    found = []
    for name in DOCUMENTS:
        path = docs_dir / name
        if not path.exists():
            found.append(name)
            continue
        committed = path.read_text(encoding="utf-8")
        if name == EVENTS_SVG:
            current = svg_source_digest(committed) == source_digest(catalog)
        else:
            current = committed == render(catalog, name)
        if not current:
            found.append(name)
    return found
