"""`python -m client`: serve the web client with uvicorn, configured by environment variables."""

from __future__ import annotations

from client.app import create_app
from client.config import ClientSettings
from ticketing_common.http import run_service


def main() -> None:
    run_service(ClientSettings, create_app)


if __name__ == "__main__":
    main()
