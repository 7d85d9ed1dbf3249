"""Fixtures of the chaos commands' tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ticketing_harness.testing.stacks import make_state_dir


@pytest.fixture
def out_dir() -> Iterator[Path]:
    """Where a command's runs go: a directory PostgreSQL's own user can reach."""
    path = make_state_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)
