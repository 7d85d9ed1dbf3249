"""Errors the CLI reports as one clear line instead of a traceback."""

from __future__ import annotations


class HarnessError(Exception):
    """A failure the user can act on; its message says what happened and what to do."""
