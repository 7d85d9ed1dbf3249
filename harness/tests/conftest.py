"""Fixtures for the harness tests: a private state directory."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ticketing_harness.testing.stacks import make_state_dir


@pytest.fixture
def state_dir() -> Iterator[Path]:
    path = make_state_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)
