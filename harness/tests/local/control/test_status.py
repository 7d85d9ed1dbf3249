"""`ticketing status`: restarts, last exit status and failures, in the table and in JSON."""

from __future__ import annotations

import json

from rich.console import Console

from ticketing_harness.local.control.status import ComponentStatus, status_json, status_table
from ticketing_harness.local.state import Condition, StackState

STATE = StackState(
    4242, 1.0, "http://127.0.0.1:8080", status="ready", reload=True, replicas={"orders": 2}
)


def _status(name: str, **changes: object) -> ComponentStatus:
    fields: dict[str, object] = {
        "name": name,
        "pid": 100,
        "port": 7000,
        "running": True,
        "ready": True,
        "log": f"/logs/{name}.log",
        "condition": Condition.RUNNING,
        "restarts": 0,
        "last_exit": None,
        "failure": "",
        **changes,
    }
    return ComponentStatus(**fields)  # type: ignore[arg-type]


STATUSES = [
    _status("orders"),
    _status("orders#2", restarts=2, last_exit=-9),
    _status(
        "payments",
        running=False,
        ready=False,
        condition=Condition.FAILED,
        restarts=4,
        last_exit=1,
        failure="RuntimeError: no Stripe",
    ),
]


def _rendered() -> str:
    console = Console(width=200, record=True)
    console.print(status_table(STATE, STATUSES))
    return console.export_text()


def test_the_table_shows_restarts_how_each_process_last_ended_and_what_failed() -> None:
    rows = {line.split("│")[1].strip(): line for line in _rendered().splitlines() if "│" in line}
    assert [cell.strip() for cell in rows["orders#2"].split("│")[2:7]] == [
        "ready",
        "100",
        "7000",
        "2",
        "SIGKILL",
    ]
    assert "failed" in rows["payments"]
    assert "payments failed. Last lines of /logs/payments.log:\nRuntimeError: no Stripe" in (
        _rendered()
    )
    assert "supervisor pid 4242 · reload on save · replicas orders=2" in _rendered()


def test_json_carries_restarts_last_exit_and_conditions() -> None:
    body = json.loads(status_json(STATE, STATUSES))
    assert body["supervisor_pid"] == 4242
    assert body["replicas"] == {"orders": 2}
    assert body["ready"] is False
    components = {item["name"]: item for item in body["components"]}
    assert components["orders#2"]["restarts"] == 2
    assert components["orders#2"]["last_exit"] == -9
    assert components["payments"]["condition"] == "failed"
    assert components["payments"]["failure"] == "RuntimeError: no Stripe"
