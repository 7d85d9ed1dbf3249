"""The `--profile` figures as markdown: per process, per database, per broker, per reservation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _share(fraction: float) -> str:
    return f"{fraction:.1%}"


def _frames(process: Mapping[str, Any], key: str) -> list[str]:
    rows = [
        (f"`{row['frame']}`", _share(row["self"]), _share(row["total"]), f"{row['ms']:.3f}")
        for row in process[key]
    ]
    ms = "ms (self)" if key == "top_self" else "ms (cumulative)"
    return _table(("function", "self", "cumulative", ms), rows)


def _shares(header: tuple[str, ...], shares: Mapping[str, float], cpu_ms: float) -> list[str]:
    rows = [(name, _share(share), f"{share * cpu_ms:.3f}") for name, share in shares.items()]
    return _table(header, rows)


def _counts(title: str, counts: Mapping[str, float]) -> list[str]:
    if not counts:
        return []
    total = sum(counts.values())
    rows = [(name, f"{n:g}") for name, n in sorted(counts.items(), key=lambda kv: -kv[1])]
    return [f"**{title}** ({total:.2f} in all)", "", *_table(("", "per reservation"), rows)]


def summary_rows(profile: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The profile's totals per reservation, as rows of the main table."""
    databases = profile["databases"]
    statements = ", ".join(
        f"{db} {figures['statements']:g} in {figures['round_trips']:g} round trips"
        for db, figures in databases.items()
    )
    nats = profile["nats"]
    rows = [
        ("database statements per reservation", statements),
        (
            "NATS messages per reservation",
            f"{sum(nats['sent'].values()):.1f} sent by clients, "
            f"{sum(nats['received'].values()):.1f} received, "
            f"{sum(nats['stored'].values()):.2f} stored events",
        ),
        ("Redis commands per reservation", f"{sum(profile['redis'].values()):.2f}"),
        ("log lines per reservation", f"{sum(profile['log_lines'].values()):.2f}"),
    ]
    return rows


def profile_markdown(profile: Mapping[str, Any]) -> str:
    """Where one reservation's time goes, in full."""
    lines = [f"# Profile over {profile['reservations']:,} reservations", ""]
    lines += [
        "## Each process per reservation",
        "",
        "CPU in user space and in the kernel, read and write system calls, and wakeups"
        " (voluntary context switches: each time the process waited and was woken).",
        "",
        *_table(
            ("process", "CPU ms", "user ms", "kernel ms", "reads", "writes", "wakeups"),
            [
                (
                    name,
                    f"{c['user_ms'] + c['system_ms']:.3f}",
                    f"{c['user_ms']:.3f}",
                    f"{c['system_ms']:.3f}",
                    f"{c['read_calls']:g}",
                    f"{c['write_calls']:g}",
                    f"{c['wakeups']:g}",
                )
                for name, c in profile["counters"].items()
            ],
        ),
    ]
    for name, process in profile["processes"].items():
        lines += [
            f"## {name}: {process['cpu_ms']:g} ms of CPU per reservation "
            f"({process['samples']:,} samples)",
            "",
            "Parts of the process (a sample under several counts in each):",
            "",
            *_shares(("part", "share", "ms"), process["parts"], process["cpu_ms"]),
            "Self time by package (the top frame's):",
            "",
            *_shares(("package", "share", "ms"), process["packages"], process["cpu_ms"]),
            "By self time (on top of the stack):",
            "",
            *_frames(process, "top_self"),
            "By cumulative time (anywhere in the stack):",
            "",
            *_frames(process, "top_total"),
        ]
    lines += ["## Database statements per reservation", ""]
    for database, figures in profile["databases"].items():
        statements = [
            (f"`{q['query']}`", f"{q['calls']:g}", f"{q['mean_ms']:g}") for q in figures["top"]
        ]
        lines += [
            f"**{database}**: {figures['statements']:g} statements in "
            f"{figures['round_trips']:g} round trips, {figures['transactions']:g} explicit "
            f"transactions, {figures['server_ms']:g} ms executing",
            "",
            *_table(("statement", "per reservation", "mean ms"), statements),
        ]
    nats = profile["nats"]
    lines += ["## NATS messages per reservation", ""]
    lines += _counts("sent by each connection (publishes, acks, pull requests)", nats["sent"])
    lines += _counts("received by each connection (deliveries, publish acks)", nats["received"])
    lines += _counts("delivered by each consumer", nats["delivered"])
    lines += _counts("acked to each consumer (its ack floor)", nats["acked"])
    lines += _counts("stored in the events stream", nats["stored"])
    lines += ["## Redis and logs per reservation", ""]
    lines += _counts("Redis commands", profile["redis"])
    lines += _counts("log lines written", profile["log_lines"])
    if profile["flame_graphs"]:
        lines += [
            "Flame graphs (collapsed stacks; open them in speedscope.app, inferno or "
            "flamegraph.pl):",
            "",
            *(f"- {path}" for path in profile["flame_graphs"]),
            "",
        ]
    return "\n".join(lines)
