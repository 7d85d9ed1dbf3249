"""Run settings: durations as Locust writes them, and contradictions refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketing_harness.errors import HarnessError
from ticketing_harness.load.settings import LoadSettings, locustfile, seconds


def test_durations_read_like_locusts_run_time() -> None:
    assert seconds("20") == 20
    assert seconds("20s") == 20
    assert seconds("2m") == 120
    assert seconds("1h30m") == 5400


@pytest.mark.parametrize("bad", ["", "0", "soon", "5x"])
def test_a_bad_duration_says_how_to_write_one(bad: str) -> None:
    with pytest.raises(HarnessError, match="--duration"):
        seconds(bad)


def test_more_hot_tickets_than_tickets_is_refused() -> None:
    with pytest.raises(HarnessError, match="--hot 6 is more than --tickets 5"):
        LoadSettings(
            "drop", "http://x", 1, tickets=5, hot=6, spawn_rate=1, duration=1, reports=Path()
        )


def test_every_scenario_has_a_locustfile_and_others_are_refused() -> None:
    for scenario in ("drop", "browse", "steady"):
        assert locustfile(scenario).is_file()
    with pytest.raises(HarnessError, match="choose one of drop, browse, steady"):
        locustfile("stampede")
