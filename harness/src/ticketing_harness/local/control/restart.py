"""`ticketing restart`: ask the stack's supervisor, on its control socket, to restart processes."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator, Sequence

from ticketing_harness.errors import HarnessError
from ticketing_harness.local.layout import Layout
from ticketing_harness.local.notices import Kind, Notice
from ticketing_harness.local.state import running_stack


def request_restart(layout: Layout, names: Sequence[str], timeout: float) -> Iterator[Notice]:
    """Ask the stack's supervisor to restart `names`; what it reports, until it is done."""
    state = running_stack(layout)
    if state is None:
        raise HarnessError(
            f"no stack is running (state in {layout.root}); start it with `ticketing up`"
        )
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(timeout)
        try:
            connection.connect(os.fspath(layout.control_socket))
        except OSError:
            raise HarnessError(
                "the stack's supervisor is not answering (was it killed?); "
                "restart the stack with `ticketing down` and `ticketing up`"
            ) from None
        connection.sendall(json.dumps({"restart": list(names)}).encode() + b"\n")
        with connection.makefile("rb") as answers:
            for line in answers:
                notice = Notice.parse(line)
                yield notice
                if notice.kind is Kind.DONE:
                    return
    raise HarnessError("the stack's supervisor stopped before it finished")
