"""`ticketing logs`: every log merged in time order whatever its format, filtered, followed."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ticketing_harness.local.control import logs
from ticketing_harness.local.control.logs import LogFile
from ticketing_harness.waiting import wait_until

SERVICE = '{"time": "2026-03-01T18:00:0%d.000+00:00", "level": "INFO", "message": "%s"}'


def _write(path: Path, *lines: str) -> LogFile:
    path.write_text("".join(f"{line}\n" for line in lines))
    return LogFile(path.stem, path)


@pytest.mark.parametrize(
    ("line", "second"),
    [
        (SERVICE % (3, "x"), 3),
        ("2026/03/01 18:00:03 [error] 7#7: *1 connect() failed", 3),
        ("2026-03-01 18:00:03.250 UTC [42] LOG:  checkpoint starting", 3),
        ("[4242] 2026/03/01 18:00:03.123456 [INF] Server is ready", 3),
        ("4242:M 01 Mar 2026 18:00:03.123 * Ready to accept connections", 3),
        ('INFO:aiohttp.access:127.0.0.1 [01/Mar/2026:18:00:03 +0000] "GET / HTTP/1.1" 200', 3),
    ],
)
def test_the_time_of_each_program_s_lines_is_read(line: str, second: int) -> None:
    moment = logs.line_time(line)
    assert moment is not None
    assert moment.astimezone(UTC).replace(microsecond=0) == datetime(
        2026, 3, 1, 18, 0, second, tzinfo=UTC
    )


def test_all_logs_merge_in_time_order_and_a_line_without_time_follows_its_own(
    tmp_path: Path,
) -> None:
    orders = _write(
        tmp_path / "orders.log",
        SERVICE % (1, "first"),
        "Traceback (most recent call last):",
        SERVICE % (4, "fourth"),
    )
    nats = _write(tmp_path / "nats.log", "[1] 2026/03/01 18:00:02.000000 [INF] second")
    postgres = _write(tmp_path / "postgres.log", "2026-03-01 18:00:03.000 UTC [9] LOG:  third")
    found = logs.merged([orders, nats, postgres], lines=10, pattern=None)
    assert [(line.name, line.text) for line in found] == [
        ("orders", SERVICE % (1, "first")),
        ("orders", "Traceback (most recent call last):"),
        ("nats", "[1] 2026/03/01 18:00:02.000000 [INF] second"),
        ("postgres", "2026-03-01 18:00:03.000 UTC [9] LOG:  third"),
        ("orders", SERVICE % (4, "fourth")),
    ]
    assert logs.merged([orders, nats, postgres], lines=2, pattern=None)[0].name == "postgres"


def test_grep_keeps_the_matching_lines_of_the_whole_log(tmp_path: Path) -> None:
    lines = [SERVICE % (1, f"request {n}") for n in range(500)]
    orders = _write(tmp_path / "orders.log", *lines)
    found = logs.merged([orders], lines=3, pattern=re.compile(r"request (7|42)\b"))
    assert [line.text for line in found] == [lines[7], lines[42]]


def test_several_logs_are_prefixed_with_their_name_and_one_is_not(tmp_path: Path) -> None:
    orders = _write(tmp_path / "orders.log", "one")
    auth = _write(tmp_path / "auth.log", "two")
    [line] = logs.merged([orders], 5, None)
    assert logs.render(line, [orders]).plain == "one"
    assert logs.render(line, [orders, auth]).plain == "      orders | one"


def test_follow_prints_only_lines_appended_after_it_started(tmp_path: Path) -> None:
    log = _write(tmp_path / "a.log", "old")
    printed: list[str] = []
    stop = threading.Event()
    follower = threading.Thread(
        target=logs.follow,
        args=([log], lambda text: printed.append(text.plain), logs.end_offsets([log])),
        kwargs={
            "pattern": re.compile("new"),
            "keep_going": lambda: not stop.is_set(),
            "interval": 0.01,
        },
    )
    follower.start()
    try:
        with log.path.open("a") as handle:
            handle.write("new 1\nskipped\nnew ")
            handle.flush()
            assert wait_until(lambda: printed == ["new 1"], timeout=5)
            handle.write("2\n")
        assert wait_until(lambda: printed == ["new 1", "new 2"], timeout=5)
    finally:
        stop.set()
        follower.join()
