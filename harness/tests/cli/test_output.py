"""What the commands print, as a CI log gets it: no terminal, COLUMNS=80, nothing cut or wrapped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ticketing_harness.certificates import CertificateFiles, trust_instructions
from ticketing_harness.local.layout import Layout
from ticketing_harness.testing.stacks import run_ticketing

NARROW = {"COLUMNS": "80"}
WIDE_TABLE = """
from rich.table import Table
from ticketing_harness.cli.output import console, errors

table = Table()
for column in ("component", "log"):
    table.add_column(column)
table.add_row("orders#2", "/state/" + "very-long-directory/" * 8 + "orders#2.log")
console.print(table)
errors.print("error: " + "a long explanation, " * 8 + "and what to run: ticketing down")
"""


def test_without_a_terminal_a_table_and_a_message_keep_their_whole_lines() -> None:
    result = subprocess.run(
        [sys.executable, "-c", WIDE_TABLE],
        capture_output=True,
        text=True,
        env={"COLUMNS": "80", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    path = "/state/" + "very-long-directory/" * 8 + "orders#2.log"
    [row] = [line for line in result.stdout.splitlines() if "orders#2 " in line]
    assert f"│ {path} │" in row, result.stdout
    assert "…" not in result.stdout
    [message] = result.stderr.splitlines()
    assert message.endswith("and what to run: ticketing down")


def test_certs_prints_each_trust_command_on_one_line(state_dir: Path) -> None:
    result = run_ticketing("certs", "--state-dir", str(state_dir), env=NARROW)
    assert result.returncode == 0, result.stderr
    files = CertificateFiles(Layout(state_dir).certs_dir)
    printed = result.stdout.splitlines()
    commands = [line for line in trust_instructions(files).splitlines() if line.startswith("    ")]
    assert len(commands) == 5
    for command in commands:
        assert command in printed, result.stdout
    assert f"Created certificate {files.certificate} (key {files.key})," in printed
