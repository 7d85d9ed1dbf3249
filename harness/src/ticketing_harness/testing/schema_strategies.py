"""Hypothesis strategies for the JSON a contract schema accepts, built from the schema alone.

hypothesis-jsonschema covers only drafts 04 to 07, so the contracts keep to the keywords
listed in `ticketing_harness.contracts.lint.SUPPORTED_KEYWORDS` (which `ticketing contracts
check` enforces) and this module builds instances from those.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from hypothesis import strategies as st

from ticketing_harness.contracts.lint import SUPPORTED_KEYWORDS

WIRE_FORMATS: dict[str, st.SearchStrategy[str]] = {
    "uuid": st.uuids().map(str) | st.uuids().map(lambda u: str(u).upper()),
    "date-time": st.builds(
        "{}{}{}{}{}".format,
        st.dates().map(date.isoformat),
        st.sampled_from("Tt"),
        st.times().map(lambda t: t.strftime("%H:%M:%S")),
        st.from_regex(r"(\.[0-9]{1,9})?", fullmatch=True),
        st.from_regex(r"[Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]", fullmatch=True),
    ),
}
# Every character but NUL and lone surrogates, which no JSON producer of ours can send and
# PostgreSQL text cannot hold (the tickets service refuses them in titles).
STORABLE_TEXT = st.characters(exclude_characters="\x00", exclude_categories=["Cs"])
# The schemas' integers (record versions) have no maximum, but every service stores versions
# as PostgreSQL integers, so no publisher can write a larger one and no consumer could store
# it. Saying so in the schemas (`maximum`) narrows them: that waits for a new major version.
RECORD_VERSION_LIMIT = 2**31 - 1


def from_schema(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Any JSON value `schema` accepts."""
    unhandled = set(schema) - SUPPORTED_KEYWORDS
    assert not unhandled, f"teach from_schema the keywords {unhandled}"
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return st.one_of([_of_kind(kind, schema) for kind in kinds])


def _of_kind(kind: str, schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    if kind == "null":
        return st.none()
    if kind == "integer":
        ints = st.integers(min_value=schema.get("minimum"), max_value=RECORD_VERSION_LIMIT)
        # JSON Schema counts 3.0 as an integer too.
        return ints | ints.filter(lambda i: abs(i) < 2**53).map(float)
    if kind == "string" and "format" in schema:
        return WIRE_FORMATS[schema["format"]]
    if kind == "string" and "pattern" in schema:
        return st.from_regex(schema["pattern"])
    if kind == "string":
        return st.text(
            STORABLE_TEXT, min_size=schema.get("minLength", 0), max_size=schema.get("maxLength")
        )
    assert kind == "object" and schema["additionalProperties"] is False
    properties = {name: from_schema(sub) for name, sub in schema["properties"].items()}
    required = set(schema["required"])
    return st.fixed_dictionaries(
        {k: v for k, v in properties.items() if k in required},
        optional={k: v for k, v in properties.items() if k not in required},
    )
