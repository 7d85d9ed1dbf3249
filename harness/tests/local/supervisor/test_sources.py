"""What a saved file means under `up --reload`: which services start again, if any."""

from __future__ import annotations

from pathlib import Path

from ticketing_harness.components import SERVICES
from ticketing_harness.local.supervisor.sources import Package, find_packages, plan_reload

ROOT = Path("/src")
PACKAGES = (
    Package("orders", (ROOT / "orders",), ("orders",)),
    Package("tickets", (ROOT / "tickets",), ("tickets",)),
    Package("client", (ROOT / "client",), ("client",)),
    Package(
        "ticketing_common",
        (ROOT / "ticketing_common", ROOT / "contracts"),
        ("orders", "tickets", "client"),
    ),
)


def test_a_change_in_a_service_restarts_that_service_only() -> None:
    plan = plan_reload([ROOT / "orders/routes.py", ROOT / "orders/migrations/003.sql"], PACKAGES)
    assert plan.services == ("orders",)
    assert plan.packages == ("orders",)
    assert plan.changed == (ROOT / "orders/migrations/003.sql", ROOT / "orders/routes.py")


def test_a_change_in_the_shared_library_or_the_contracts_restarts_every_service() -> None:
    for changed in (ROOT / "ticketing_common/bus.py", ROOT / "contracts/catalog.yaml"):
        plan = plan_reload([changed], PACKAGES)
        assert plan.services == ("orders", "tickets", "client")
        assert set(plan.packages) == {"orders", "tickets", "client", "ticketing_common"}


def test_templates_and_static_files_are_served_as_they_are() -> None:
    changed = [ROOT / "client/templates/orders.html", ROOT / "client/static/style.css"]
    plan = plan_reload(changed, PACKAGES)
    assert plan.services == ()
    assert plan.served == tuple(sorted(changed))


def test_files_no_service_loads_change_nothing() -> None:
    plan = plan_reload([ROOT / "orders/sedX1a2b3", ROOT / "elsewhere/app.py"], PACKAGES)
    assert (plan.services, plan.served) == ((), ())


def test_packages_are_found_where_this_environment_imports_them_from() -> None:
    packages = {package.name: package for package in find_packages(SERVICES)}
    assert set(packages) == {*(s.module for s in SERVICES), "ticketing_common"}
    orders = packages["orders"]
    assert (orders.roots[0] / "routes.py").is_file()
    shared = packages["ticketing_common"]
    assert shared.services == tuple(s.name for s in SERVICES)
    # The contracts are linked into the shared library: their directory is watched too.
    assert any((root / "catalog.yaml").is_file() for root in shared.roots[1:])
