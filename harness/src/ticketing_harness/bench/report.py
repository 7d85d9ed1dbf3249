"""The results of a run: kept as JSON, printed as a markdown table, charted as a PNG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

from ticketing_harness.bench.profile_report import profile_markdown, summary_rows


def _latency(figures: dict[str, float]) -> str:
    return f"p50 {figures['p50_ms']:,.0f} ms, p99 {figures['p99_ms']:,.0f} ms"


def markdown(results: dict[str, Any]) -> str:
    """One row per figure, in the order the issue lists them."""
    rows: list[tuple[str, str]] = []
    if replicas := results.get("replicas"):
        rows.append(("processes", replicas))
    for herd in results.get("herds", []):
        rows.append(
            (
                f"herd: {herd['buyers']:,} buyers, one ticket",
                f"{herd['winners']} winner(s), answers {herd['by_status']}, "
                + _latency(herd["latency"]),
            )
        )
    if distinct := results.get("distinct"):
        rows.append(
            (
                f"reservations: {distinct['tickets']:,} tickets, "
                f"{distinct['concurrency']} buyers at once",
                f"{distinct['per_second']:,.0f}/s, {_latency(distinct['latency'])}, "
                f"answers {distinct['by_status']}",
            )
        )
    if pgbench := results.get("pgbench"):
        rows.append(
            (
                f"the same insert in PostgreSQL alone (pgbench, {pgbench['clients']} clients)",
                f"{pgbench['per_second']:,.0f}/s; through the system: {pgbench['ratio']:.1%}",
            )
        )
    if cpu := results.get("cpu_ms_per_reservation"):
        spent = ", ".join(f"{name} {ms:g}" for name, ms in cpu.items())
        rows.append(("CPU ms per reservation, by process", f"{sum(cpu.values()):.1f}: {spent}"))
    if "watcher_cpu_ms_per_reservation" in results:
        rows.append(
            (
                "CPU ms per reservation of the bench's own propagation watcher (PostgreSQL)",
                f"{results['watcher_cpu_ms_per_reservation']:g}, not counted above",
            )
        )
    if profile := results.get("profile"):
        rows += summary_rows(profile)
    for listener, rate in results.get("consumers", {}).items():
        rows.append((f"consumer `{listener}`", f"{rate:,.0f} events/s"))
    for phase, figures in results.get("propagation", {}).items():
        rows.append((f"propagation order -> tickets, {phase}", _latency(figures)))
    if "cold_start_s" in results:
        rows.append(("cold `ticketing up` to all-ready", f"{results['cold_start_s']:.1f} s"))
    for server, times in results.get("servers", {}).items():
        rows.append(
            (f"{server} start", f"cold {times['cold_s']} s, restart {times['restart_s']} s")
        )
    for phase, services in results.get("memory", {}).items():
        for service, memory in services.items():
            rows.append(
                (
                    f"memory {service}, {phase}",
                    f"PSS {memory['pss_mib']} MiB, RSS {memory['rss_mib']} MiB",
                )
            )
    for point in results.get("sweep", []):
        rows.append(
            (
                f"reservations, {point['concurrency']} buyers at once",
                f"{point['per_second']:,.0f}/s, p99 {point['p99_ms']:,.0f} ms",
            )
        )
    lines = ["| what | figure |", "|---|---|"]
    lines += [f"| {what} | {figure} |" for what, figure in rows]
    return "\n".join(lines) + "\n"


def chart(sweep: list[dict[str, float]], path: Path) -> None:
    """Throughput and p99 against the number of buyers at once, on two axes."""
    buyers = [point["concurrency"] for point in sweep]
    figure, throughput = plt.subplots(figsize=(8, 4.5))
    throughput.plot(buyers, [p["per_second"] for p in sweep], "o-", color="tab:blue")
    throughput.set_xlabel("buyers at once")
    throughput.set_ylabel("reservations/s", color="tab:blue")
    p99 = throughput.twinx()
    p99.plot(buyers, [p["p99_ms"] for p in sweep], "s--", color="tab:red")
    p99.set_ylabel("p99 (ms)", color="tab:red")
    figure.suptitle("Reservations over distinct tickets, through the gateway")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def save(results: dict[str, Any], directory: Path, stem: str) -> list[Path]:
    """`<stem>.json`, `<stem>.md`, with a sweep `<stem>.png` and with a profile
    `<stem>-profile.md` in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / f"{stem}.json", directory / f"{stem}.md"]
    written[0].write_text(json.dumps(results, indent=2) + "\n")
    written[1].write_text(markdown(results))
    if results.get("sweep"):
        written.append(directory / f"{stem}.png")
        chart(results["sweep"], written[-1])
    if results.get("profile"):
        written.append(directory / f"{stem}-profile.md")
        written[-1].write_text(profile_markdown(results["profile"]))
    return written
