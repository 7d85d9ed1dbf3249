"""`python -m client`: serve the web client with uvicorn, configured by environment variables."""

from __future__ import annotations

import sys

import uvicorn
from pydantic import ValidationError

from client.app import create_app
from client.config import ClientSettings
from ticketing_common.logs import configure_logging


def main() -> None:
    try:
        settings = ClientSettings()
    except ValidationError as error:
        names = ", ".join(str(e["loc"][0]).upper() for e in error.errors())
        print(f"client: missing or invalid environment variables: {names}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging("client", settings.log_level)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
