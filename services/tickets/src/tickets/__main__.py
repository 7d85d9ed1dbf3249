"""`python -m tickets`: serve the tickets service, configured by environment variables."""

from __future__ import annotations

from ticketing_common.http import run_service
from tickets.app import create_app
from tickets.config import Settings

if __name__ == "__main__":
    run_service(Settings, create_app)
