"""Whether the services' code and the catalog agree on who publishes and who consumes what."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ticketing_common.contracts import CATALOG_FILE, Catalog, Problem
from ticketing_harness.contracts.inspection import (
    DeclaredListener,
    PublishSite,
    declared_listeners,
    publish_sites,
)


@dataclass(frozen=True)
class Code:
    """What inspection found in every service of the catalog."""

    listeners: list[DeclaredListener]
    sites: list[PublishSite]


def inspect_code(catalog: Catalog, packages: Mapping[str, str] | None = None) -> Code:
    """The listeners and publish sites of every catalogued service.

    Args:
        catalog: names the services.
        packages: the Python package of a service whose package is not named like it.
    """
    packages = packages or {}
    listeners: list[DeclaredListener] = []
    sites: list[PublishSite] = []
    for service in catalog.services:
        listeners += declared_listeners(service, packages.get(service))
        sites += publish_sites(service, packages.get(service))
    return Code(listeners, sites)


def agreement_problems(catalog: Catalog, code: Code) -> list[Problem]:
    """Every disagreement between the catalog and the code, naming the file and the event."""
    return [
        *_publishing(catalog, code.sites),
        *_consuming(catalog, code.listeners),
        *_unconsumed(catalog),
    ]


def _where(path: Path, line: int | None = None) -> str:
    text = _display(path)
    return f"{text}:{line}" if line is not None else text


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _index(catalog: Catalog, event_type: str) -> str:
    return f"events[{list(catalog.events).index(event_type)}]"


def _publishing(catalog: Catalog, sites: Sequence[PublishSite]) -> list[Problem]:
    problems = []
    published = set()
    for site in sites:
        event_type, where = site.model.event_type, _where(site.file, site.line)
        contract = catalog.events.get(event_type)
        if contract is None:
            problems.append(
                Problem(where, event_type, f"{site.service} publishes it, but it is not declared")
            )
            continue
        published.add((event_type, site.service))
        if contract.publisher != site.service:
            problems.append(
                Problem(
                    where,
                    event_type,
                    f"{site.service} publishes it, but its declared publisher is "
                    f"{contract.publisher}",
                )
            )
        elif site.model.schema_version != contract.version:
            problems.append(
                Problem(
                    where,
                    event_type,
                    f"publishes version {site.model.schema_version}, but the catalog's "
                    f"version is {contract.version}",
                )
            )
    for event_type, contract in catalog.events.items():
        if (event_type, contract.publisher) not in published:
            problems.append(
                Problem(
                    CATALOG_FILE,
                    f"{_index(catalog, event_type)}.publisher",
                    f"{contract.publisher} never publishes {event_type}",
                )
            )
    return problems


def _consuming(catalog: Catalog, listeners: Sequence[DeclaredListener]) -> list[Problem]:
    problems = []
    consumed = set()
    durables: dict[str, DeclaredListener] = {}
    for declared in listeners:
        listener, service = declared.listener, declared.service
        event_type, where = listener.event.event_type, _where(declared.file)
        if listener.durable in durables:
            problems.append(
                Problem(where, listener.durable, "durable name already used by another listener")
            )
        durables[listener.durable] = declared
        contract = catalog.events.get(event_type)
        if contract is None:
            problems.append(
                Problem(
                    where,
                    listener.durable,
                    f"listens to {event_type}, which the catalog does not declare",
                )
            )
            continue
        consumed.add((event_type, service))
        if service not in contract.consumers:
            problems.append(
                Problem(
                    where,
                    listener.durable,
                    f"{service} listens to {event_type} but is not among its declared "
                    f"consumers {list(contract.consumers)}",
                )
            )
        problems += _versions(declared, contract.versions, where)
    for event_type, contract in catalog.events.items():
        for index, consumer in enumerate(contract.consumers):
            if (event_type, consumer) not in consumed:
                problems.append(
                    Problem(
                        CATALOG_FILE,
                        f"{_index(catalog, event_type)}.consumers[{index}]",
                        f"{consumer} is a declared consumer of {event_type} but has no "
                        "listener for it",
                    )
                )
    return problems


def _versions(declared: DeclaredListener, versions: tuple[int, ...], where: str) -> list[Problem]:
    listener = declared.listener
    read = {model.schema_version for model in listener.models}
    problems = []
    if {model.event_type for model in listener.models} != {listener.event.event_type}:
        problems.append(Problem(where, listener.durable, "reads models of different events"))
    missing, unknown = sorted(set(versions) - read), sorted(read - set(versions))
    if missing:
        problems.append(
            Problem(
                where,
                listener.durable,
                f"cannot read {listener.event.event_type} version(s) {missing}, which the "
                "catalog says consumers must read",
            )
        )
    if unknown:
        problems.append(
            Problem(
                where,
                listener.durable,
                f"reads {listener.event.event_type} version(s) {unknown}, which the catalog "
                "does not declare",
            )
        )
    return problems


def _unconsumed(catalog: Catalog) -> list[Problem]:
    problems = []
    for event_type, contract in catalog.events.items():
        where = _index(catalog, event_type)
        if not contract.consumers and contract.unconsumed is None:
            problems.append(
                Problem(
                    CATALOG_FILE,
                    f"{where}.consumers",
                    f"nobody consumes {event_type}: add a consumer, or say why in `unconsumed`",
                )
            )
        elif contract.consumers and contract.unconsumed is not None:
            problems.append(
                Problem(CATALOG_FILE, f"{where}.unconsumed", "set, but the event has consumers")
            )
    return problems
