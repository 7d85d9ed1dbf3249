"""What `ticketing up --reload` watches, and what a change means: which services start again."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ticketing_harness.components import Service

SHARED = "ticketing_common"
# Read from disk on each request (Jinja checks its templates): a change needs no restart.
SERVED_AS_IS = frozenset({"templates", "static"})
# What a service loads when it starts: code, migrations, contracts. Other files (an editor's
# or a tool's temporary ones) change nothing.
LOADED = frozenset({".py", ".sql", ".json", ".yaml", ".yml"})


@dataclass(frozen=True)
class Package:
    """An importable package, where it lies and which services run its code."""

    name: str
    roots: tuple[Path, ...]  # its directory, and directories linked into it (the contracts)
    services: tuple[str, ...]

    def holds(self, path: Path) -> Path | None:
        """`path` relative to the package, if it lies in it."""
        for root in self.roots:
            if path.is_relative_to(root):
                return path.relative_to(root)
        return None


@dataclass(frozen=True)
class ReloadPlan:
    """What a batch of changed files asks for."""

    services: tuple[str, ...]  # to start again, all their processes
    packages: tuple[str, ...]  # to import again before they do
    changed: tuple[Path, ...]  # the files that ask for it
    served: tuple[Path, ...]  # changed files served as they are, no restart needed


def find_packages(services: Sequence[Service]) -> tuple[Package, ...]:
    """Each service's package and the shared library, where this environment imports them from."""
    everyone = tuple(service.name for service in services)
    found = [Package(s.module, _roots(s.module), (s.name,)) for s in services]
    return (*found, Package(SHARED, _roots(SHARED), everyone))


def watched_roots(packages: Iterable[Package]) -> list[Path]:
    return [root for package in packages for root in package.roots]


def plan_reload(paths: Iterable[Path], packages: Sequence[Package]) -> ReloadPlan:
    """Restart the services whose code changed (every one for the shared library)."""
    owners: set[str] = set()
    changed: list[Path] = []
    served: list[Path] = []
    for path in sorted(set(paths)):
        for package in packages:
            inside = package.holds(path)
            if inside is None:
                continue
            if inside.parts and inside.parts[0] in SERVED_AS_IS:
                served.append(path)
            elif path.suffix in LOADED:
                owners.add(package.name)
                changed.append(path)
            break
    restarting = [p for p in packages if p.name in owners]
    if SHARED in owners:
        # Every service imports the shared code, so each is imported again with it.
        restarting = list(packages)
    services = {service for package in restarting for service in package.services}
    order = [service for package in packages for service in package.services]
    return ReloadPlan(
        services=tuple(dict.fromkeys(s for s in order if s in services)),
        packages=tuple(package.name for package in restarting),
        changed=tuple(changed),
        served=tuple(served),
    )


def _roots(module: str) -> tuple[Path, ...]:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return ()
    root = Path(next(iter(spec.submodule_search_locations))).resolve()
    linked = [path.resolve() for path in sorted(root.iterdir()) if path.is_symlink()]
    return (root, *(path for path in linked if path.is_dir()))
