"""Checks `up` makes before it starts anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketing_harness.layout import Layout
from ticketing_harness.ports import free_port
from ticketing_harness.stack import UpOptions, preflight


@pytest.mark.parametrize(("fresh", "kept"), [(True, False), (False, True)])
def test_only_fresh_wipes_the_data_of_earlier_runs(tmp_path: Path, fresh: bool, kept: bool) -> None:
    layout = Layout(tmp_path)
    data = layout.data_dir / "postgres" / "data" / "PG_VERSION"
    data.parent.mkdir(parents=True)
    data.write_text("15")
    preflight(UpOptions(layout, port=free_port(), fresh=fresh))
    assert data.exists() is kept
    assert layout.root.exists()
