"""`ticketing logs`: the tail of each log, and following appended lines."""

from __future__ import annotations

import threading
from pathlib import Path

from ticketing_harness.local import logs
from ticketing_harness.waiting import wait_until


def test_show_prints_the_last_lines_of_each_log_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("one\ntwo\nthree\n")
    (tmp_path / "b.log").write_text("only\n")
    printed: list[str] = []
    chosen = [
        ("auth", tmp_path / "a.log"),
        ("orders", tmp_path / "b.log"),
        ("missing", tmp_path / "none.log"),
    ]
    logs.show(chosen, 2, printed.append)
    assert printed == ["      auth | two", "      auth | three", "    orders | only"]


def test_show_of_one_log_prints_it_without_a_prefix(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("one\ntwo\n")
    printed: list[str] = []
    logs.show([("auth", tmp_path / "a.log")], 10, printed.append)
    assert printed == ["one", "two"]


def test_follow_prints_only_lines_appended_after_it_started(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text("old\n")
    chosen = [("auth", log)]
    printed: list[str] = []
    stop = threading.Event()
    follower = threading.Thread(
        target=logs.follow,
        args=(chosen, printed.append, logs.end_offsets(chosen), lambda: not stop.is_set(), 0.01),
    )
    follower.start()
    try:
        with log.open("a") as handle:
            handle.write("new 1\nnew ")
            handle.flush()
            assert wait_until(lambda: printed == ["new 1"], timeout=5)
            handle.write("2\n")
        assert wait_until(lambda: printed == ["new 1", "new 2"], timeout=5)
    finally:
        stop.set()
        follower.join()
