"""Connection details are only given for a stack that runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketing_harness.errors import HarnessError
from ticketing_harness.local.connections import stack_connections
from ticketing_harness.local.layout import Layout


def test_a_directory_without_a_running_stack_says_how_to_start_one(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match=r"no stack is running from .*ticketing up --detach"):
        stack_connections(Layout(tmp_path))
