"""`ticketing contracts docs`: the committed documents are current, complete and valid."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import validators

from ticketing_common.contracts import load_catalog
from ticketing_harness.contracts import docs
from ticketing_harness.contracts.diagram import svg_source_digest
from ticketing_harness.contracts.sources import default_root
from ticketing_harness.testing.stacks import run_ticketing

from .copies import contracts_copy, edit_catalog, event_entry

pytestmark = pytest.mark.contract

REPOSITORY = default_root().parent
CATALOG = load_catalog()
# The AsyncAPI 3.0 JSON Schema from the @asyncapi/specs npm package, which ./dev installs.
ASYNCAPI_SPEC = REPOSITORY / "node_modules/@asyncapi/specs/schemas/3.0.0-without-$id.json"


def _flows() -> set[tuple[str, str, str]]:
    return {
        (c.publisher, c.subject, consumer)
        for c in CATALOG.events.values()
        for consumer in c.consumers
    }


def test_committed_docs_are_current() -> None:
    result = run_ticketing("contracts", "docs", "--check")
    assert result.returncode == 0, result.stderr
    assert docs.stale(CATALOG, REPOSITORY / "docs") == []


def test_a_catalog_change_makes_the_committed_docs_stale(tmp_path: Path) -> None:
    root = contracts_copy(
        tmp_path,
        edit_catalog(lambda d: event_entry(d, "order.completed")["consumers"].remove("tickets")),
    )
    output = tmp_path / "docs"
    assert set(docs.stale(load_catalog(root), REPOSITORY / "docs")) == set(docs.DOCUMENTS)
    result = run_ticketing("contracts", "docs", "--contracts", str(root), "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert {p.name for p in output.iterdir()} == set(docs.DOCUMENTS)
    committed = str(REPOSITORY / "docs")
    check = run_ticketing(
        "contracts", "docs", "--check", "--contracts", str(root), "--output", committed
    )
    assert check.returncode == 1
    assert check.stderr.startswith("error: stale:"), check.stderr
    assert "run `ticketing contracts docs`" in check.stderr


def test_flow_diagram_draws_every_publisher_to_consumer_edge() -> None:
    markdown = (REPOSITORY / "docs" / docs.EVENTS_MD).read_text()
    edges = re.findall(r"^ {4}(\w+) -->\|(\S+)\| (\w+)$", markdown, re.M)
    assert set(edges) == _flows()


def test_svg_draws_every_service_and_subject_from_the_current_source() -> None:
    drawing = (REPOSITORY / "docs" / docs.EVENTS_SVG).read_text()
    assert drawing.lstrip().startswith("<?xml")
    titles = set(re.findall(r"<title>([^<]+)</title>", drawing))
    assert set(CATALOG.services) <= titles
    edges = {t.replace("&#45;&gt;", "->") for t in titles if "&#45;&gt;" in t}
    assert {f"{p}->{c}" for p, _, c in _flows()} <= edges
    for contract in CATALOG.events.values():
        assert f">{contract.subject}</text>" in drawing
    assert svg_source_digest(drawing) is not None


def test_asyncapi_has_one_operation_per_service_direction_and_channel() -> None:
    document = yaml.safe_load((REPOSITORY / "docs" / docs.ASYNCAPI_YAML).read_text())
    addresses = {key: channel["address"] for key, channel in document["channels"].items()}
    operations = {
        (op["tags"][0]["name"], op["action"], addresses[op["channel"]["$ref"].split("/")[-1]])
        for op in document["operations"].values()
    }
    expected = {(c.publisher, "send", c.subject) for c in CATALOG.events.values()} | {
        (consumer, "receive", subject) for _, subject, consumer in _flows()
    }
    assert operations == expected
    assert len(document["operations"]) == len(expected)


def _asyncapi_errors(document: dict[str, Any]) -> list[str]:
    assert ASYNCAPI_SPEC.is_file(), f"{ASYNCAPI_SPEC} is missing: run ./dev (it runs npm ci)"
    spec = json.loads(ASYNCAPI_SPEC.read_text())
    validator = validators.validator_for(spec)(spec)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_asyncapi_document_is_valid_asyncapi_3() -> None:
    document = yaml.safe_load((REPOSITORY / "docs" / docs.ASYNCAPI_YAML).read_text())
    assert document["asyncapi"] == "3.0.0"
    assert _asyncapi_errors(document) == []


def test_asyncapi_validation_catches_a_broken_document() -> None:
    document = yaml.safe_load((REPOSITORY / "docs" / docs.ASYNCAPI_YAML).read_text())
    next(iter(document["operations"].values()))["action"] = "broadcast"
    assert _asyncapi_errors(document)
