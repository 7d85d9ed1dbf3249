"""`python -m expiration`: run the expiration service, configured by environment variables."""

from __future__ import annotations

from expiration.app import create_app
from expiration.config import Settings
from ticketing_common.http import run_service

if __name__ == "__main__":
    run_service(Settings, create_app)
