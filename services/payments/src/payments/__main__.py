"""Run the payments service: `python -m payments`."""

from __future__ import annotations

from payments.app import create_app
from payments.config import Settings
from ticketing_common.http import run_service

if __name__ == "__main__":
    run_service(Settings, create_app)
