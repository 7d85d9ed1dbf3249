"""One load run from start to verdict: Locust, then the verdict, the reports and the chart."""

from __future__ import annotations

import asyncio
import io

from rich.console import Console

from ticketing_harness.errors import HarnessError
from ticketing_harness.evidence.access import StackAccess
from ticketing_harness.evidence.stores import StoreUnreachable
from ticketing_harness.load.chart import draw, history
from ticketing_harness.load.locust_processes import run_locust
from ticketing_harness.load.record import RunRecord
from ticketing_harness.load.reports import ReportFiles
from ticketing_harness.load.settings import LoadSettings
from ticketing_harness.load.verdict import Verdict, judge

TEXT_WIDTH = 160


def run_scenario(settings: LoadSettings, access: StackAccess, *, drain_timeout: float) -> Verdict:
    """Run the scenario with Locust, then judge it and write every report."""
    files = ReportFiles(settings.reports)
    run_locust(settings, files)
    return judge_run(files, access, drain_timeout=drain_timeout)


def judge_run(files: ReportFiles, access: StackAccess, *, drain_timeout: float) -> Verdict:
    """Judge the run recorded in a report directory; write the verdict and the chart there."""
    if not files.run.exists():
        raise HarnessError(f"{files.directory} holds no run record ({files.run.name})")
    record = RunRecord.load(files.run)
    try:
        verdict = asyncio.run(judge(record, access, drain_timeout=drain_timeout))
    except StoreUnreachable as error:
        raise HarnessError(
            f"{error}; once it can be reached, judge the run with"
            f" `ticketing load verdict {files.directory}`"
        ) from None
    files.verdict_json.write_text(verdict.to_json())
    text = io.StringIO()
    Console(file=text, width=TEXT_WIDTH, no_color=True).print(verdict.render())
    files.verdict_text.write_text(text.getvalue())
    if files.history.exists():
        title = f"{record.scenario} run {record.run_id}: {record.users} users against {record.host}"
        draw(history(files.history), files.chart, title=title, opened_at=record.opened_at)
    return verdict
