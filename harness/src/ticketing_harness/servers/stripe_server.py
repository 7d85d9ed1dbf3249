"""localstripe, a Stripe-compatible server, run with ``localstripe_main``."""

from __future__ import annotations

import base64
import importlib.util
import sys
from pathlib import Path

from ticketing_harness.servers.server_process import ServerProcess, http_status


class StripeServer(ServerProcess):
    """localstripe on 127.0.0.1; its objects are pickled to ``directory/store.pickle``.

    The store is written after every change and read back on start, so a restart keeps
    it (a SIGKILL between a change and its write loses that change). ``flush()`` empties it.
    """

    name = "localstripe"
    binary_name = "a Python with localstripe"
    install_hint = "pip install localstripe"
    api_key = "sk_test_ticketing"  # localstripe accepts any sk_test_ key

    @property
    def api_base(self) -> str:
        """What ``stripe.api_base`` should be."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def store_path(self) -> Path:
        """The file that keeps the server's objects across restarts."""
        return self.directory / "store.pickle"

    def default_binary(self) -> Path | None:
        """This Python, when it can import localstripe."""
        return Path(sys.executable) if importlib.util.find_spec("localstripe") else None

    def argv(self, binary: Path) -> list[str]:
        """Run the launcher module with this server's port and store."""
        return [
            str(binary),
            "-m",
            "ticketing_harness.servers.localstripe_main",
            "--port",
            str(self.port),
            "--store",
            str(self.store_path),
        ]

    def is_ready(self) -> bool:
        """Ready when an authenticated list request answers 200."""
        credentials = base64.b64encode(f"{self.api_key}:".encode()).decode()
        status = http_status(
            f"{self.api_base}/v1/payment_intents", headers={"Authorization": f"Basic {credentials}"}
        )
        return status == 200

    def flush(self) -> None:
        """Delete every object the server holds."""
        if (status := http_status(f"{self.api_base}/_config/data", method="DELETE")) != 200:
            raise self.error(f"answered {status} to a request to delete its data")
