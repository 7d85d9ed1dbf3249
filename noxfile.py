"""Developer sessions: the test suite, the contract checks, lint, benchmarks and fuzzing."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["tests"]

SOURCES = ["services", "harness", "chaos", "fuzz", "noxfile.py"]
REPLICAS = "auth=2,tickets=2,orders=3,expiration=2,payments=2,client=2"
# One mypy run per package: every package has its own `tests/conftest.py`.
PACKAGES = [
    *sorted(str(p.parent) for p in Path(".").glob("services/*/pyproject.toml")),
    "harness",
    "chaos",
    "fuzz",
]


@nox.session
def tests(session: nox.Session) -> None:
    """The default suite on real servers, in parallel."""
    session.run("pytest", "-n", "auto", "--dist", "loadgroup", *session.posargs)


@nox.session
def replicas(session: nox.Session) -> None:
    """The end-to-end and web client tests on a stack running several processes per service."""
    session.env["TICKETING_TEST_REPLICAS"] = REPLICAS
    suites = ["harness/tests/e2e", "services/client/tests"]
    session.run("pytest", *suites, "-n", "2", "--dist", "loadgroup", *session.posargs)


@nox.session
def contracts(session: nox.Session) -> None:
    """The contract toolkit's checks and every contract test (they also run in `tests`)."""
    session.run("ticketing", "contracts", "check")
    session.run("ticketing", "contracts", "docs", "--check")
    session.run("pytest", "-m", "contract", "-n", "auto", "--dist", "loadgroup", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and format), the import layers (docs/architecture.md) and mypy."""
    session.run("ruff", "check", *SOURCES)
    session.run("ruff", "format", "--check", *SOURCES)
    session.run("lint-imports")
    for package in PACKAGES:
        session.run("mypy", package)


@nox.session
def bench(session: nox.Session) -> None:
    """The whole system measured on its own stack; figures printed and kept, nothing asserted."""
    session.run("python", "-m", "ticketing_harness.bench", *session.posargs)


@nox.session
def bench_cli(session: nox.Session) -> None:
    """The CPU time of `ticketing --help` and `ticketing status`; figures printed, not asserted."""
    session.run("python", "-m", "ticketing_harness.bench.command_startup", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """schemathesis on each running service's OpenAPI: fails on a 5xx or off-document answer."""
    session.run("pytest", "fuzz", "-n", "2", *session.posargs)


@nox.session
def chaos(session: nox.Session) -> None:
    """The chaos suite with fixed seeds: standard scenarios, deterministic mode, canary proof."""
    session.run("ticketing", "chaos", "suite", "--seed", "1", *session.posargs)
