"""`python -m ticketing_harness.local.supervisor`: the options on stdin, then run the stack."""

from __future__ import annotations

import asyncio
import json
import logging
import sys

from setproctitle import setproctitle

from ticketing_common.logs import configure_logging
from ticketing_harness.components import SERVICES
from ticketing_harness.local.layout import SUPERVISOR
from ticketing_harness.local.notices import NoticeOutput
from ticketing_harness.local.options import UpOptions
from ticketing_harness.local.supervisor.daemon import Supervisor
from ticketing_harness.local.supervisor.launcher import Launcher


def main() -> None:
    setproctitle(f"ticketing: {SUPERVISOR}")
    request = json.loads(sys.stdin.buffer.readline())
    options = UpOptions.from_json(request["options"])
    configure_logging(SUPERVISOR)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not every readiness probe
    launcher = Launcher(
        [service.module for service in SERVICES], options.layout.log_dir / "launcher.log"
    )
    supervisor = Supervisor(options, launcher, NoticeOutput(sys.stdout.fileno()))
    sys.exit(asyncio.run(supervisor.run(attached=bool(request["attached"]))))


if __name__ == "__main__":
    main()
