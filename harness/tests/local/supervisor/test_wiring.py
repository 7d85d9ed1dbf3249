"""The environment `up` gives each service: a fault plan only when a chaos run asks."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketing_harness.components import SERVICES, Server
from ticketing_harness.local.layout import Layout
from ticketing_harness.local.options import UpOptions, servers_for
from ticketing_harness.local.supervisor.wiring import FAULT_PLAN_VARIABLE, service_env
from ticketing_harness.servers import NatsServer

TICKETS = next(service for service in SERVICES if service.name == "tickets")


def test_a_fault_plan_in_the_shell_never_reaches_the_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FAULT_PLAN_VARIABLE, "/somewhere/plan.json")
    options = UpOptions(Layout(tmp_path))
    env = service_env(TICKETS, options, servers_for(options), "http://127.0.0.1:1")
    assert FAULT_PLAN_VARIABLE not in env


def test_a_chaos_run_gives_every_service_its_plan(tmp_path: Path) -> None:
    options = UpOptions(Layout(tmp_path), fault_plan=tmp_path / "plan.json")
    env = service_env(TICKETS, options, servers_for(options), "http://127.0.0.1:1")
    assert env[FAULT_PLAN_VARIABLE] == str(tmp_path / "plan.json")


def test_the_broker_syncs_every_write_only_when_asked(tmp_path: Path) -> None:
    for sync in (True, False):
        nats = servers_for(UpOptions(Layout(tmp_path), broker_sync_always=sync))[Server.NATS]
        assert isinstance(nats, NatsServer)
        assert nats.sync_always is sync
