"""Log records render as one JSON line naming the service, tracebacks included."""

from __future__ import annotations

import json
import logging
import sys

from ticketing_common.logs import JsonLineFormatter


def test_a_record_with_a_traceback_is_one_json_line() -> None:
    try:
        raise ValueError("first line\nsecond line")
    except ValueError:
        record = logging.LogRecord(
            "orders.handlers", logging.ERROR, __file__, 1, "failed %s", ("order-1",), sys.exc_info()
        )

    line = JsonLineFormatter("orders").format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert (entry["service"], entry["level"], entry["logger"]) == (
        "orders",
        "ERROR",
        "orders.handlers",
    )
    assert entry["message"] == "failed order-1"
    assert entry["exception"].startswith("Traceback (most recent call last)")
    assert entry["exception"].endswith("ValueError: first line\nsecond line")
