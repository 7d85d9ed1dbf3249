"""Checks `up` makes before it starts anything."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from ticketing_harness.errors import HarnessError
from ticketing_harness.local.layout import Layout, ensure_reachable
from ticketing_harness.local.options import UpOptions, preflight
from ticketing_harness.ports import free_port


@pytest.mark.parametrize(("fresh", "kept"), [(True, False), (False, True)])
def test_only_fresh_wipes_the_data_of_earlier_runs(
    state_dir: Path, fresh: bool, kept: bool
) -> None:
    layout = Layout(state_dir)
    data = layout.data_dir / "postgres" / "data" / "PG_VERSION"
    data.parent.mkdir(parents=True)
    data.write_text("15")
    preflight(UpOptions(layout, port=free_port(), fresh=fresh))
    assert data.exists() is kept
    assert layout.root.exists()


def test_a_state_dir_postgres_cannot_reach_is_refused_with_the_fix(tmp_path: Path) -> None:
    hidden = tmp_path / "private"
    hidden.mkdir(mode=0o700)
    target = hidden / "state"
    if os.geteuid() != 0:
        # Unprivileged, PostgreSQL runs as this very user, who can reach it.
        assert ensure_reachable(target) == target
        return
    with pytest.raises(HarnessError, match=f"run `chmod o\\+x {hidden}`"):
        ensure_reachable(target)


def test_services_missing_from_the_environment_are_named_with_what_to_run(
    state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name in ("orders", "client") else real(name, *args),
    )
    with pytest.raises(HarnessError) as raised:
        preflight(UpOptions(Layout(state_dir), port=free_port()))
    assert str(raised.value) == (
        "the services orders, client are not installed in this environment; "
        "run `uv sync --all-packages` (or `./dev up`, which does)"
    )


def test_a_state_dir_too_deep_for_the_control_socket_is_refused(state_dir: Path) -> None:
    deep = state_dir / ("d" * 120)
    with pytest.raises(HarnessError, match="too long for the stack's control socket"):
        preflight(UpOptions(Layout(deep), port=free_port()))
