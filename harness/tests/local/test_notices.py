"""What the supervisor reports to `up`: whole lines, never blocking on a reader that stopped."""

from __future__ import annotations

import os

from ticketing_harness.local.notices import MAX_TEXT, Kind, Level, Notice, NoticeOutput


def test_a_notice_survives_its_line_and_a_long_text_keeps_its_end() -> None:
    notice = Notice(Kind.NOTE, "orders#2 was killed by SIGKILL", level=Level.WARNING)
    assert Notice.parse(notice.line()) == notice
    long = Notice.parse(Notice(Kind.NOTE, "x" * 10_000 + "the end").line())
    assert long.text.endswith("the end")
    assert len(long.text) <= MAX_TEXT + 3


def test_a_reader_that_does_not_read_never_blocks_the_supervisor_and_one_gone_stops_it() -> None:
    read, write = os.pipe()
    output = NoticeOutput(write)
    for _ in range(5_000):  # far more than a pipe holds
        output.send(Notice(Kind.NOTE, "restarted"))
    first = os.read(read, 4096).split(b"\n")[0]
    assert Notice.parse(first).text == "restarted"
    os.close(read)
    output.send(Notice(Kind.NOTE, "nobody reads this"))
    assert output.fd is None
