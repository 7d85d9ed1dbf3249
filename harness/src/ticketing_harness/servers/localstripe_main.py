"""Runs localstripe on 127.0.0.1 with its store in a file of our choosing.

Upstream localstripe binds every interface and pickles its store to the fixed path
``/tmp/localstripe.pickle``, which parallel instances would overwrite and reload from
one another. ``python -m ticketing_harness.servers.localstripe_main --port P --store F``
keeps each instance's state in its own file, written atomically, and declines Stripe's
test cards as Stripe does (``localstripe_cards``).
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
from pathlib import Path
from typing import Any

from aiohttp import web
from localstripe import resources, server

from ticketing_harness.servers.localstripe_cards import teach_declines


def _persist_store_in(path: Path) -> None:
    """Point localstripe's store load and dump at ``path``."""

    def load(store: dict[str, Any]) -> None:
        if path.exists():
            with path.open("rb") as file:
                dict.update(store, pickle.load(file))  # plain update: no dump per item

    def dump(store: dict[str, Any]) -> None:
        partial = path.with_suffix(".partial")
        with partial.open("wb") as file:
            pickle.dump(dict(store), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump


def main() -> None:
    """Load the store from its file, then serve until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--store", type=Path, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    _persist_store_in(args.store)
    teach_declines()
    resources.store.try_load_from_disk()
    web.run_app(server.app, host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
