"""What py-spy's collapsed stacks say: self and cumulative shares, packages and parts."""

from __future__ import annotations

import pytest

from ticketing_harness.bench.frames import EVENT_LOOP, Frames

ROOT = f"<module> (orders/__main__.py);{EVENT_LOOP}"
REQUEST = f"{ROOT};RequestResponseCycle.run_asgi (uvicorn/protocols/http/httptools_impl.py)"
SQL = "Connection._execute (asyncpg/connection.py);Connection._do_execute (asyncpg/connection.py)"
FOLDED = f"""\
{ROOT} 30
{REQUEST};{SQL} 40
{REQUEST};Logger._log (logging/__init__.py);StreamHandler.emit (logging/__init__.py) 10
{ROOT};Consumer.run (ticketing_common/listeners.py);Connection.execute (asyncpg/connection.py) 20
not a stack line
"""


def test_each_function_gets_its_share_on_top_and_anywhere_in_the_stack() -> None:
    frames = Frames.of_folded(FOLDED)
    assert frames.samples == 100
    top = {share.frame: share for share in frames.top(10)}
    assert top[EVENT_LOOP].self_share == pytest.approx(0.30)
    assert top[EVENT_LOOP].total_share == pytest.approx(1.0)
    assert top["Connection._do_execute (asyncpg/connection.py)"].self_share == pytest.approx(0.4)
    assert frames.top(1)[0].frame == "Connection._do_execute (asyncpg/connection.py)"


def test_by_cumulative_time_the_frames_every_sample_is_under_are_left_out() -> None:
    shown = [share.frame for share in Frames.of_folded(FOLDED).top(10, by_total=True)]
    assert EVENT_LOOP not in shown
    assert "<module> (orders/__main__.py)" not in shown
    assert shown[0] == "RequestResponseCycle.run_asgi (uvicorn/protocols/http/httptools_impl.py)"


def test_self_time_adds_up_by_package_with_the_event_loop_apart() -> None:
    packages = Frames.of_folded(FOLDED).by_package()
    assert packages["asyncpg"] == pytest.approx(0.6)
    assert packages["logging"] == pytest.approx(0.1)
    assert sum(packages.values()) == pytest.approx(1.0)
    assert any(name.startswith("C code under the event loop") for name in packages)


def test_a_part_counts_every_sample_under_any_of_its_functions() -> None:
    parts = Frames.of_folded(FOLDED).parts()
    assert parts["HTTP requests (uvicorn to the response)"] == pytest.approx(0.5)
    assert parts["SQL statements (asyncpg)"] == pytest.approx(0.6)
    assert parts["log lines"] == pytest.approx(0.1)
    assert "outbox relay" not in parts
