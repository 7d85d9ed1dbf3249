"""`python -m auth`: serve the auth service, configured by environment variables."""

from __future__ import annotations

from auth.app import create_app
from auth.config import Settings
from ticketing_common.http import run_service

if __name__ == "__main__":
    run_service(Settings, create_app)
