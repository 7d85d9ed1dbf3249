"""The dev loop on a real stack started with `--reload` and replicas, running a copy of orders:
purchases and a reservation race through the balancing gateway, a save that restarts only
what changed, code that does not load, a crash, and a service that keeps failing."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from ticketing_harness.testing.stacks import (
    RunningStack,
    created,
    signed_up,
    start_stack,
    stop_stack,
    unique,
)
from ticketing_harness.waiting import eventually, wait_until

# One stack for the module, started in its first test: allow it the time.
pytestmark = [pytest.mark.xdist_group("dev-loop"), pytest.mark.timeout(600)]

REPLICAS = "orders=2,tickets=2,payments=2"
BUYERS = 24
CHECK_ROUTE = """

@router.get("/-/reload-check", include_in_schema=False)
async def reload_check() -> dict[str, str]:
    return {"code": "%s"}
"""
REFUSING = """

def create_app(settings: Settings) -> FastAPI:
    raise RuntimeError("refusing to start: broken on purpose")
"""


@pytest.fixture(scope="module")
def orders_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the orders package, which the stack imports instead of the repository's."""
    spec = importlib.util.find_spec("orders")
    assert spec is not None and spec.submodule_search_locations
    source = Path(next(iter(spec.submodule_search_locations)))
    copy = tmp_path_factory.mktemp("sources") / "orders"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
    _append(copy / "routes.py", CHECK_ROUTE % "original")
    return copy


@pytest.fixture(scope="module")
def dev_stack(orders_copy: Path) -> Iterator[RunningStack]:
    paths = [str(orders_copy.parent), os.environ.get("PYTHONPATH", "")]
    env = {"PYTHONPATH": os.pathsep.join(filter(None, paths))}
    stack = start_stack("--reload", "--replicas", REPLICAS, env=env)
    yield stack
    stop_stack(stack)


@contextlib.contextmanager
def _answers_meanwhile(url: str) -> Iterator[list[int]]:
    """The status of every GET of `url`, one after another, while the block runs."""
    answers: list[int] = []
    done = threading.Event()

    def ask() -> None:
        with httpx.Client(timeout=60) as client:
            while not done.is_set():
                answers.append(client.get(url).status_code)

    asking = threading.Thread(target=ask)
    asking.start()
    try:
        yield answers
    finally:
        done.set()
        asking.join()


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _status(stack: RunningStack) -> dict[str, Any]:
    result = stack.ticketing("status", "--json")
    assert result.returncode in (0, 1), result.stdout + result.stderr
    body: dict[str, Any] = json.loads(result.stdout)
    return body


def _components(stack: RunningStack) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in _status(stack)["components"]}


def _pids(stack: RunningStack) -> dict[str, int]:
    return {name: item["pid"] for name, item in _components(stack).items()}


async def _code(stack: RunningStack) -> set[str]:
    """What the orders processes answer on the route the copy adds, asked of each in turn."""
    async with httpx.AsyncClient(base_url=stack.url) as client:
        answers = [await client.get("/api/orders/-/reload-check") for _ in range(4)]
    return {a.json()["code"] if a.status_code == 200 else str(a.status_code) for a in answers}


async def _edited(stack: RunningStack, path: Path, text: str, expected: str) -> None:
    """Save the copy's file and wait until every orders process runs it."""
    await asyncio.to_thread(path.write_text, text)

    async def running() -> bool:
        return await _code(stack) == {expected}

    await eventually(running, timeout=120, message=f"orders never ran {expected!r}")


def test_every_process_is_named_in_ps(dev_stack: RunningStack) -> None:
    status = _status(dev_stack)
    names = {
        name: " ".join(psutil.Process(item["pid"]).cmdline()).strip()
        for name, item in _components(dev_stack).items()
        if name.partition("#")[0] in ("auth", "tickets", "orders", "payments", "client")
    }
    assert names == {name: f"ticketing: {name}" for name in names}
    assert {"orders#2", "tickets#2", "payments#2"} <= set(names)
    supervisor = psutil.Process(status["supervisor_pid"])
    assert " ".join(supervisor.cmdline()).strip() == "ticketing: supervisor"


async def test_purchases_and_a_reservation_race_run_through_the_replicas(
    dev_stack: RunningStack,
) -> None:
    async with contextlib.AsyncExitStack() as users:
        seller, buyer, *racers = [
            await users.enter_async_context(signed_up(dev_stack.url)) for _ in range(BUYERS + 2)
        ]
        ticket = await created(seller, "/api/tickets", {"title": unique("show"), "price": 30})
        order = await created(buyer, "/api/orders", {"ticketId": ticket["id"]})
        body = {"orderId": order["id"], "token": "pm_card_visa"}
        await created(buyer, "/api/payments", body)

        async def complete() -> bool:
            response = await buyer.get(f"/api/orders/{order['id']}")
            return bool(response.json()["status"] == "complete")

        await eventually(complete, timeout=30, message="the paid order never completed")

        contested = await created(seller, "/api/tickets", {"title": unique("race"), "price": 9})
        # Once orders has the ticket (a first order succeeds), free it again and race for it.
        first = await created(buyer, "/api/orders", {"ticketId": contested["id"]})
        assert (await buyer.delete(f"/api/orders/{first['id']}")).status_code == 204
        answers = await asyncio.gather(
            *(r.post("/api/orders", json={"ticketId": contested["id"]}) for r in racers)
        )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [400] * (BUYERS - 1), [a.text for a in answers]
    for name in ("orders", "orders#2"):
        log = dev_stack.state_dir / "logs" / f"{name}.log"
        assert "POST /api/orders" in log.read_text(), f"{name} served no order"


def test_a_killed_service_comes_back_and_status_counts_the_restart(
    dev_stack: RunningStack,
) -> None:
    before = _components(dev_stack)["tickets#2"]
    os.kill(before["pid"], signal.SIGKILL)

    def back() -> bool:
        now = _components(dev_stack)["tickets#2"]
        return bool(now["ready"] and now["pid"] != before["pid"])

    assert wait_until(back, timeout=60)
    after = _components(dev_stack)["tickets#2"]
    assert (after["restarts"], after["last_exit"]) == (before["restarts"] + 1, -signal.SIGKILL)
    table = dev_stack.ticketing("status").stdout
    assert "SIGKILL" in table


async def test_saving_a_service_restarts_only_its_processes_and_keeps_the_data(
    dev_stack: RunningStack, orders_copy: Path
) -> None:
    async with signed_up(dev_stack.url) as seller, signed_up(dev_stack.url) as buyer:
        ticket = await created(seller, "/api/tickets", {"title": unique("kept"), "price": 5})
        order = await created(buyer, "/api/orders", {"ticketId": ticket["id"]})
        before = _pids(dev_stack)
        routes = orders_copy / "routes.py"
        await _edited(dev_stack, routes, routes.read_text().replace("original", "edited"), "edited")
        after = _pids(dev_stack)
        changed = {name for name in before if before[name] != after[name]}
        assert changed == {"orders", "orders#2"}
        kept = await buyer.get(f"/api/orders/{order['id']}")
        assert kept.status_code == 200
        assert kept.json()["status"] == "created"
    output = dev_stack.ticketing("logs", "supervisor", "--grep", "routes.py changed").stdout
    assert "restarting orders (2 processes)" in output


async def test_code_that_does_not_load_leaves_the_running_processes_serving(
    dev_stack: RunningStack, orders_copy: Path
) -> None:
    routes = orders_copy / "routes.py"
    working = routes.read_text()
    before = _pids(dev_stack)
    routes.write_text(working + "\ndef broken(:\n")
    assert wait_until(lambda: "SyntaxError" in _status(dev_stack)["reload_error"], timeout=60)
    assert _pids(dev_stack) == before
    assert await _code(dev_stack) == {"edited"}
    shown = dev_stack.ticketing("logs", "supervisor", "--grep", "does not load").stdout
    assert "keep running the code they have" in shown
    await _edited(dev_stack, routes, working.replace("edited", "fixed"), "fixed")
    assert _status(dev_stack)["reload_error"] == ""


async def test_a_service_that_keeps_failing_is_marked_failed_while_its_replica_serves(
    dev_stack: RunningStack, orders_copy: Path
) -> None:
    app = orders_copy / "app.py"
    working = app.read_text()
    second = _pids(dev_stack)["orders#2"]
    app.write_text(working + REFUSING)

    def failed() -> bool:
        return bool(_components(dev_stack)["orders"]["condition"] == "failed")

    assert wait_until(failed, timeout=180)
    orders = _components(dev_stack)["orders"]
    assert "refusing to start: broken on purpose" in orders["failure"]
    assert orders["restarts"] >= 3
    assert _pids(dev_stack)["orders#2"] == second
    assert await _code(dev_stack) == {"fixed"}  # the replica still serves the code it had
    await _edited(dev_stack, app, working, "fixed")
    assert {_components(dev_stack)[n]["condition"] for n in ("orders", "orders#2")} == {"running"}


def test_restart_from_another_shell_restarts_every_process_of_a_service(
    dev_stack: RunningStack,
) -> None:
    before = _pids(dev_stack)
    supervisor = psutil.Process(_status(dev_stack)["supervisor_pid"])
    [launcher] = [
        child for child in supervisor.children() if "ticketing: launcher" in child.cmdline()[0]
    ]
    launcher.kill()  # the restart starts a new one
    with _answers_meanwhile(f"{dev_stack.url}/api/tickets") as answers:
        result = dev_stack.ticketing("restart", "tickets")
    assert result.returncode == 0, result.stdout + result.stderr
    # Each process keeps its listening socket: a request made while it restarts waits.
    assert answers and set(answers) == {200}, answers
    assert "tickets ready in" in result.stdout
    assert "tickets#2 ready in" in result.stdout
    after = _pids(dev_stack)
    assert {name for name in before if before[name] != after[name]} == {"tickets", "tickets#2"}
    unknown = dev_stack.ticketing("restart", "shipping")
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("error: no service or component 'shipping'")
