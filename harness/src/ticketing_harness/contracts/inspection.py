"""What the services' code really does with events: the listeners it declares, what it publishes.

Listeners: each service's `<service>.listeners.listeners(...)` is called as its bootstrap
would, with throwaway arguments: a `Database` whose pool must not be used, the service's
settings with their defaults, and placeholders for anything else (a Redis pool, a Stripe
gateway); declaring listeners must not touch them.

Publishing: every module of the service's package is parsed, and every call that builds an
event model (a subclass of `EventData`, resolved through the module's imports) is a place
where the service publishes that event: an aggregate's `record(...)`, or an envelope sent
directly on the bus.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import typing
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic_settings import BaseSettings

from ticketing_common.events import EventData
from ticketing_common.listeners import Listener
from ticketing_common.unit_of_work import Database

LISTENERS_MODULE = "listeners"
LISTENERS_FACTORY = "listeners"


class InspectionError(Exception):
    """A service's code could not be inspected; the message says where and why."""


@dataclass(frozen=True)
class DeclaredListener:
    """A listener a service declares, and the file that declares it."""

    service: str
    listener: Listener[Any]
    file: Path


@dataclass(frozen=True)
class PublishSite:
    """A place where a service builds an event it publishes."""

    service: str
    model: type[EventData]
    file: Path
    line: int


class Unused:
    """Stands in for a dependency that declaring listeners must not use."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        raise InspectionError(f"declaring listeners used {self._name}.{attribute}")


def package_dir(package: str) -> Path | None:
    """The directory of an importable package, or None if there is none."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def declared_listeners(service: str, package: str | None = None) -> list[DeclaredListener]:
    """The listeners `service` declares (none if its package has no listeners module)."""
    name = f"{package or service}.{LISTENERS_MODULE}"
    if importlib.util.find_spec(package or service) is None:
        return []
    if importlib.util.find_spec(name) is None:
        return []
    module = importlib.import_module(name)
    factory = getattr(module, LISTENERS_FACTORY, None)
    if not callable(factory):
        raise InspectionError(f"{module.__file__}: has no function {LISTENERS_FACTORY}()")
    arguments = _throwaway_arguments(factory, service)
    try:
        built = factory(*arguments)
    except InspectionError as exc:
        raise InspectionError(f"{module.__file__}: {exc}") from None
    file = Path(str(module.__file__))
    return [DeclaredListener(service, listener, file) for listener in built]


def _throwaway_arguments(factory: Any, service: str) -> list[Any]:
    hints = typing.get_type_hints(factory)
    arguments: list[Any] = []
    for name in inspect.signature(factory).parameters:
        kind = hints.get(name)
        if kind is Database:
            arguments.append(Database(Unused("the database"), service))  # type: ignore[arg-type]
        elif isinstance(kind, type) and issubclass(kind, BaseSettings):
            arguments.append(kind.model_construct())
        else:
            arguments.append(Unused(name))
    return arguments


def publish_sites(service: str, package: str | None = None) -> list[PublishSite]:
    """Every call in the service's package that builds an event model, with file and line."""
    directory = package_dir(package or service)
    if directory is None:
        return []
    sites = []
    for path in sorted(directory.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names = _imported_names(tree, package or service)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                model = _resolve(node.func, names)
                if isinstance(model, type) and issubclass(model, EventData):
                    sites.append(PublishSite(service, model, path, node.lineno))
    return sites


def _imported_names(tree: ast.Module, package: str) -> dict[str, Any]:
    """What each imported name of a module refers to (names that fail to import are left out)."""
    names: dict[str, Any] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _import(("." * node.level) + (node.module or ""), package)
            for alias in node.names:
                if source is not None and hasattr(source, alias.name):
                    names[alias.asname or alias.name] = getattr(source, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                module = _import(alias.name, package)
                if module is not None:
                    names[alias.asname or alias.name.split(".")[0]] = (
                        module if alias.asname else _import(alias.name.split(".")[0], package)
                    )
    return names


def _import(name: str, package: str) -> ModuleType | None:
    try:
        return importlib.import_module(name, package if name.startswith(".") else None)
    except ImportError:
        return None


def _resolve(node: ast.expr, names: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, names)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None
