"""Whether each typed event model and its schema describe the same fields."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError

from ticketing_common.contracts import Catalog, Problem, schema_file
from ticketing_common.errors import ContractViolation
from ticketing_common.events import EventData


def model_problems(catalog: Catalog, models: Iterable[type[EventData]]) -> list[Problem]:
    """Every disagreement of a model with the schema of its event and major version."""
    problems = []
    for model in sorted(set(models), key=lambda m: (m.event_type, m.schema_version)):
        contract = catalog.events.get(model.event_type)
        schema = contract.schemas.get(model.schema_version) if contract else None
        if schema is None:
            continue  # an undeclared event or version: the agreement check names its users
        file = schema_file(model.event_type, model.schema_version)
        problems += [
            Problem(file, path, f"{message} (model {model.__name__})")
            for path, message in _differences(model, schema, "data")
        ]
        problems += _example_problems(catalog, model, schema, file)
    return problems


def _differences(
    model: type[BaseModel], schema: Mapping[str, Any], path: str
) -> list[tuple[str, str]]:
    found = []
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    fields = {(f.alias or name): f for name, f in model.model_fields.items()}
    for name in sorted(properties.keys() - fields.keys()):
        found.append((f"{path}.{name}", "in the schema, not in the model"))
    for name in sorted(fields.keys() - properties.keys()):
        found.append((f"{path}.{name}", "in the model, not in the schema"))
    for name in sorted(fields.keys() & properties.keys()):
        where, field, sub = f"{path}.{name}", fields[name], properties[name]
        if field.is_required() != (name in required):
            side = "the schema" if name in required else "the model"
            found.append((where, f"required by {side} only"))
        annotation = field.annotation
        nullable = _nullable(annotation)
        if nullable != _allows_null(sub):
            found.append(
                (where, "null allowed by " + ("the model" if nullable else "the schema") + " only")
            )
        inner = _without_none(annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            found += _differences(inner, sub, where)
        elif isinstance(inner, type) and issubclass(inner, Enum):
            values = {member.value for member in inner}
            if values != set(sub.get("enum", [])):
                found.append(
                    (where, f"the model allows {sorted(values)}, the schema {sub.get('enum')}")
                )
    return found


def _nullable(annotation: Any) -> bool:
    return type(None) in typing.get_args(annotation) and _is_union(annotation)


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _without_none(annotation: Any) -> Any:
    if not _is_union(annotation):
        return annotation
    others = [a for a in typing.get_args(annotation) if a is not type(None)]
    return others[0] if len(others) == 1 else annotation


def _allows_null(schema: Mapping[str, Any]) -> bool:
    kinds = schema.get("type")
    return kinds == "null" or (isinstance(kinds, list) and "null" in kinds)


def _example_problems(
    catalog: Catalog, model: type[EventData], schema: Mapping[str, Any], file: str
) -> list[Problem]:
    problems = []
    for index, example in enumerate(schema.get("examples", [])):
        where = f"examples[{index}]"
        try:
            parsed = model.from_wire(example)
            catalog.check_data(model.event_type, parsed.to_wire(), model.schema_version)
        except ValidationError as exc:
            problems.append(
                Problem(file, where, f"the model {model.__name__} refuses it: {_first(exc)}")
            )
        except ContractViolation as exc:
            problems.append(
                Problem(
                    file, where, f"the model {model.__name__} writes it back invalid: {exc.reason}"
                )
            )
    return problems


def _first(exc: ValidationError) -> str:
    error = exc.errors()[0]
    return f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
