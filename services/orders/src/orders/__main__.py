"""`python -m orders`: serve the orders service, configured by environment variables."""

from __future__ import annotations

from orders.app import create_app
from orders.config import Settings
from ticketing_common.http import run_service

if __name__ == "__main__":
    run_service(Settings, create_app)
