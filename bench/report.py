"""Tables of a run's results: the figures beside their baselines, and the issue's targets."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.ack import ack_table
from bench.fair import fair_table

Results = dict[str, Any]


def rate(value: float | None) -> str:
    """Jobs per second, short: 5.4k, 147k, 950."""
    if value is None or math.isnan(value):
        return "-"
    if value >= 100_000:
        return f"{value / 1000:.0f}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:.0f}"


def number(value: float | None, digits: int = 1) -> str:
    if value is None or math.isnan(value):
        return "-"
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.{digits}f}"


def ratio(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.2f}x"


def get(results: Results, figure: str, key: str, field: str) -> float | None:
    """A measured value, or None when that figure or subject was not run."""
    value = results.get("figures", {}).get(figure, {}).get(key, {}).get(field)
    return float(value) if isinstance(value, int | float) else None


@dataclass(frozen=True)
class Row:
    """One line of the figures table."""

    title: str
    unit: str
    figure: str
    suffix: str  # the subject key after "<target>/"
    field: str
    baselines: tuple[tuple[str, str, str], ...]  # (column, figure key, field)
    fmt: Callable[[float | None], str] = rate


def _server_row(title: str, unit: str, field: str, columns: tuple[str, ...]) -> Row:
    """A row of the server-cost figure, with the same field of each baseline beside it."""
    baselines = tuple((column, f"{column}/lifecycle", field) for column in columns)
    return Row(title, unit, "server", "lifecycle", field, baselines, number)


def _huey(storage: str, key: str) -> tuple[str, str, str]:
    return (f"huey-{storage}", f"huey-{storage}/{key}", "rate")


ROWS = [
    Row(
        "put, one by one",
        "jobs/s",
        "put",
        "one",
        "rate",
        (
            ("raw", "raw/one", "rate"),
            ("lua", "lua/one", "rate"),
            _huey("plain", "one"),
            _huey("priority", "one"),
        ),
    ),
    Row(
        "put, bulk",
        "jobs/s",
        "put",
        "bulk",
        "rate",
        (("raw", "raw/pipe", "rate"), ("lua", "lua/pipe", "rate")),
    ),
    Row(
        "drain, library loop",
        "jobs/s",
        "drain",
        "loop",
        "rate",
        (("raw", "raw/loop", "rate"), ("lua", "lua/loop", "rate")),
    ),
    Row(
        "drain, worker program",
        "jobs/s",
        "drain",
        "worker",
        "rate",
        (
            ("raw", "raw/loop", "rate"),
            ("lua", "lua/loop", "rate"),
            _huey("plain", "consumer"),
            _huey("priority", "consumer"),
        ),
    ),
    Row(
        "drain, worker: client CPU",
        "µs/job",
        "drain",
        "worker",
        "client_cpu_usec",
        (
            ("raw", "raw/loop", "client_cpu_usec"),
            ("lua", "lua/loop", "client_cpu_usec"),
            ("huey-plain", "huey-plain/consumer", "client_cpu_usec"),
            ("huey-priority", "huey-priority/consumer", "client_cpu_usec"),
        ),
        number,
    ),
    Row(
        "drain, worker: server CPU",
        "µs/job",
        "drain",
        "worker",
        "server_cpu_usec",
        (
            ("raw", "raw/loop", "server_cpu_usec"),
            ("lua", "lua/loop", "server_cpu_usec"),
            ("huey-plain", "huey-plain/consumer", "server_cpu_usec"),
            ("huey-priority", "huey-priority/consumer", "server_cpu_usec"),
        ),
        number,
    ),
    Row(
        "drain, worker: Redis commands (in scripts too)",
        "commands/job",
        "drain",
        "worker",
        "server_commands",
        (
            ("raw", "raw/loop", "server_commands"),
            ("lua", "lua/loop", "server_commands"),
            ("huey-plain", "huey-plain/consumer", "server_commands"),
            ("huey-priority", "huey-priority/consumer", "server_commands"),
        ),
        number,
    ),
    Row(
        "drain, library loop: client CPU",
        "µs/job",
        "drain",
        "loop",
        "client_cpu_usec",
        (("raw", "raw/loop", "client_cpu_usec"), ("lua", "lua/loop", "client_cpu_usec")),
        number,
    ),
    Row(
        "pickup latency p50, idle worker",
        "ms",
        "pickup",
        "worker",
        "p50_ms",
        (("raw", "raw/brpop", "p50_ms"), ("huey-plain", "huey-plain/consumer", "p50_ms")),
        lambda v: number(v, 2),
    ),
    Row(
        "pickup latency p99, idle worker",
        "ms",
        "pickup",
        "worker",
        "p99_ms",
        (("raw", "raw/brpop", "p99_ms"), ("huey-plain", "huey-plain/consumer", "p99_ms")),
        lambda v: number(v, 2),
    ),
    Row(
        "pop+complete at depth 1k",
        "µs/cycle",
        "depth",
        "depth-1000",
        "usec_per_cycle",
        (("raw", "raw/depth-1000", "usec_per_cycle"),),
        number,
    ),
    Row(
        "pop+complete at depth 100k",
        "µs/cycle",
        "depth",
        "depth-100000",
        "usec_per_cycle",
        (("raw", "raw/depth-100000", "usec_per_cycle"),),
        number,
    ),
    Row(
        "pop+complete at depth 1k: server time in script",
        "µs/cycle",
        "depth",
        "depth-1000",
        "server_script_usec",
        (),
        number,
    ),
    Row(
        "pop+complete at depth 100k: server time in script",
        "µs/cycle",
        "depth",
        "depth-100000",
        "server_script_usec",
        (),
        number,
    ),
    _server_row("server CPU per put", "µs", "put_cpu_usec", ("raw", "lua", "minimal")),
    _server_row("server CPU per pop", "µs", "pop_cpu_usec", ("raw", "lua", "minimal")),
    _server_row("server CPU per complete", "µs", "complete_cpu_usec", ("raw", "lua", "minimal")),
    _server_row(
        "server CPU per job (put+pop+complete)", "µs", "job_cpu_usec", ("raw", "lua", "minimal")
    ),
    _server_row(
        "server time in scripts per job (put+pop+complete)",
        "µs",
        "job_script_usec",
        ("lua", "minimal"),
    ),
    _server_row(
        "Redis commands per job (put+pop+complete)",
        "commands",
        "job_commands",
        ("raw", "lua", "minimal"),
    ),
    Row(
        "server CPU per config.get", "µs", "server", "lifecycle", "config.get_cpu_usec", (), number
    ),
]

BASELINE_COLUMNS = ("raw", "lua", "minimal", "huey-plain", "huey-priority")
COLUMN_TITLES = {
    "raw": "raw redis-py",
    "lua": "one-line Lua",
    "minimal": "minimal Lua queue",
    "huey-plain": "huey (RedisHuey)",
    "huey-priority": "huey (PriorityRedisHuey)",
}


def figures_table(results: Results, pending: str | None = None) -> str:
    """Markdown: one row per figure; a column per target, then the baselines.

    `pending` adds an empty column of that name (the "after" column to be filled).
    """
    labels: list[str] = [t["label"] for t in results["targets"]]
    columns = [c for c in BASELINE_COLUMNS if _column_used(results, c)]
    head = [
        "figure",
        "unit",
        *labels,
        *([pending] if pending else []),
        *(COLUMN_TITLES[c] for c in columns),
    ]
    lines = [_line(head), _line(["---"] * len(head))]
    for row in ROWS:
        if row.figure not in results.get("figures", {}):
            continue
        cells = [row.title, row.unit]
        cells += [
            row.fmt(get(results, row.figure, f"{label}/{row.suffix}", row.field))
            for label in labels
        ]
        if pending:
            cells.append("pending")
        baselines = {column: (key, field) for column, key, field in row.baselines}
        for column in columns:
            if column in baselines:
                key, field = baselines[column]
                cells.append(row.fmt(get(results, row.figure, key, field)))
            else:
                cells.append("")
        lines.append(_line(cells))
    return "\n".join(lines)


def _column_used(results: Results, column: str) -> bool:
    return any(
        key.startswith(column + "/")
        for fig in results.get("figures", {}).values()
        if isinstance(fig, dict)
        for key in fig
    )


def _line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


@dataclass(frozen=True)
class Goal:
    """One of the issue's targets, as a check on a run's figures."""

    title: str
    requirement: str
    value: Callable[[Results, str], float | None]  # the figure for one target
    bound: Callable[[Results, str], float | None]  # the value it must reach (from the ref)
    higher_is_better: bool
    fmt: Callable[[float | None], str]


def _v(figure: str, suffix: str, field: str) -> Callable[[Results, str], float | None]:
    return lambda results, label: get(results, figure, f"{label}/{suffix}", field)


def _times_ref(
    figure: str, suffix: str, field: str, factor: float
) -> Callable[[Results, str], float | None]:
    def bound(results: Results, label: str) -> float | None:
        ref = get(results, figure, f"{results['targets'][0]['label']}/{suffix}", field)
        return None if ref is None else ref * factor

    return bound


def _const(value: float) -> Callable[[Results, str], float | None]:
    return lambda results, label: value


def _depth_ratio(results: Results, label: str) -> float | None:
    deep = get(results, "depth", f"{label}/depth-100000", "usec_per_cycle")
    shallow = get(results, "depth", f"{label}/depth-1000", "usec_per_cycle")
    return None if deep is None or shallow is None else deep / shallow


def _depth_script_ratio(results: Results, label: str) -> float | None:
    deep = get(results, "depth", f"{label}/depth-100000", "server_script_usec")
    shallow = get(results, "depth", f"{label}/depth-1000", "server_script_usec")
    return None if deep is None or shallow is None else deep / shallow


def _huey_drain(results: Results, label: str) -> float | None:
    values = [get(results, "drain", f"huey-{s}/consumer", "rate") for s in ("plain", "priority")]
    found = [v for v in values if v is not None]
    return max(found) if found else None


def _bulk_bound(results: Results, label: str) -> float | None:
    raw = get(results, "put", "raw/pipe", "rate")
    return None if raw is None else raw * 0.25


GOALS = [
    Goal(
        "drain, worker program",
        "≥ 2.5x before",
        _v("drain", "worker", "rate"),
        _times_ref("drain", "worker", "rate", 2.5),
        True,
        rate,
    ),
    Goal(
        "drain, worker program vs huey",
        "ahead of huey's consumer (best storage)",
        _v("drain", "worker", "rate"),
        _huey_drain,
        True,
        rate,
    ),
    Goal(
        "drain, library loop",
        "≥ 1.9x before",
        _v("drain", "loop", "rate"),
        _times_ref("drain", "loop", "rate", 1.9),
        True,
        rate,
    ),
    Goal(
        "pickup p50, standard worker",
        "≤ 1 ms",
        _v("pickup", "worker", "p50_ms"),
        _const(1.0),
        False,
        lambda v: number(v, 2) + " ms",
    ),
    Goal(
        "pickup p99, standard worker",
        "≤ 5 ms",
        _v("pickup", "worker", "p99_ms"),
        _const(5.0),
        False,
        lambda v: number(v, 2) + " ms",
    ),
    Goal(
        "server CPU per job (put+pop+complete)",
        "≤ 0.5x before",
        _v("server", "lifecycle", "job_cpu_usec"),
        _times_ref("server", "lifecycle", "job_cpu_usec", 0.5),
        False,
        lambda v: number(v) + " µs",
    ),
    Goal(
        "bulk put",
        "≥ 0.25x raw pipelined LPUSH",
        _v("put", "bulk", "rate"),
        _bulk_bound,
        True,
        rate,
    ),
    Goal(
        "put one by one",
        "≥ 1.6x before",
        _v("put", "one", "rate"),
        _times_ref("put", "one", "rate", 1.6),
        True,
        rate,
    ),
    Goal(
        "pop+complete, depth 100k vs 1k (wall)",
        "≤ 1.1x",
        _depth_ratio,
        _const(1.1),
        False,
        ratio,
    ),
    Goal(
        "pop+complete, depth 100k vs 1k (server time in script)",
        "≤ 1.1x",
        _depth_script_ratio,
        _const(1.1),
        False,
        ratio,
    ),
    Goal(
        "server time in scripts per job (put+pop+complete)",
        "≤ 0.5x before (CPU, less noisy)",
        _v("server", "lifecycle", "job_script_usec"),
        _times_ref("server", "lifecycle", "job_script_usec", 0.5),
        False,
        lambda v: number(v) + " µs",
    ),
]


def goals_table(results: Results, pending: str | None = None) -> str:
    """Markdown: each target of the issue, the bound it sets, and each target's figure."""
    labels: list[str] = [t["label"] for t in results["targets"]]
    head = ["target", "requirement", "bound (this run)", *labels]
    if pending:
        head.append(pending)
    lines = [_line(head), _line(["---"] * len(head))]
    for goal in GOALS:
        bound = goal.bound(results, labels[-1])
        cells = [goal.title, goal.requirement, goal.fmt(bound)]
        for index, label in enumerate(labels):
            value = goal.value(results, label)
            mark = ""
            if value is not None and bound is not None and (index > 0 or len(labels) == 1):
                met = value >= bound if goal.higher_is_better else value <= bound
                mark = " ✓" if met else " ✗"
            cells.append(goal.fmt(value) + mark)
        if pending:
            cells.append("pending")
        lines.append(_line(cells))
    return "\n".join(lines)


def server_calls_table(results: Results) -> str:
    """Markdown: time inside the script per call (INFO commandstats), per operation."""
    figure = results.get("figures", {}).get("server")
    if not figure:
        return ""
    head = [
        "subject",
        "put",
        "pop",
        "complete",
        "config.get",
        "inner commands put / pop / complete",
    ]
    lines = [_line(head), _line(["---"] * len(head))]
    for key, value in figure.items():
        cells = [key.removesuffix("/lifecycle")]
        for phase in ("put", "pop", "complete", "config.get"):
            usec = value.get(f"{phase}_script_usec")
            cpu = value.get(f"{phase}_cpu_usec")
            cells.append(
                "" if cpu is None else f"{number(usec)} µs in script, {number(cpu)} µs CPU"
            )
        cells.append(
            " / ".join(number(value.get(f"{p}_inner")) for p in ("put", "pop", "complete"))
        )
        lines.append(_line(cells))
    return "\n".join(lines)


def patterns_table(results: Results) -> str:
    """The patterns figure: each drain's rate and the pattern's ratio to the plain name."""
    figure = results.get("figures", {}).get("patterns")
    if not figure:
        return ""
    options = results["options"]
    queues, busy = options.get("pattern_queues", 2000), options.get("pattern_busy", 500)
    rows = [
        "| target | drain | plain name (jobs/s) | pattern (jobs/s) | pattern / plain |",
        "|---|---|---|---|---|",
    ]
    labels = list(dict.fromkeys(key.split("/")[0] for key in figure))
    what = {
        "busy": f"{busy} jobs in one of {queues} queues",
        "spread": f"{queues} jobs, one per queue (plain: {queues} jobs in one queue)",
    }
    for label in labels:
        for kind in ("busy", "spread"):
            plain, pattern = figure[f"{label}/{kind}-plain"], figure[f"{label}/{kind}-pattern"]
            rows.append(
                f"| {label} | {what[kind]} | {plain['rate']:,.0f} | {pattern['rate']:,.0f} "
                f"| {pattern['rate'] / plain['rate']:.2f}x |"
            )
    return "\n".join(rows)


def _primary_cell(value: dict[str, Any], index: int) -> str:
    """`jobs · CPU µs/job` of primary `index`; an idle one shows its CPU in the window."""
    jobs = value.get(f"p{index}_jobs")
    if jobs is None:
        return ""
    if not jobs:
        return f"idle ({number(value[f'p{index}_cpu_ms'])} ms)"
    return f"{jobs:,.0f} · {number(value[f'p{index}_cpu_usec'])}"


def scale_table(results: Results) -> str:
    """The scale figure (bench/scale.py): each phase and subject, with the jobs and the
    CPU per job of each primary; "" when it was not run."""
    figure = results.get("figures", {}).get("scale")
    if not figure:
        return ""
    layout = figure["layout"]
    primaries = layout["primaries"]
    where = "; ".join(
        f"P{i + 1} slots {p['slots']}, namespace `{p['namespace']}` (slot {p['namespace_slot']})"
        for i, p in enumerate(primaries)
    )
    head = ["phase", "subject", "jobs/s", "vs server-1", "client CPU µs/job",
            *(f"P{i + 1} jobs · CPU µs/job" for i in range(len(primaries))),
            "replicas CPU µs/job", "all servers CPU µs/job"]  # fmt: skip
    lines = [
        f"{layout['server']}-server. The cluster: {len(primaries)} primaries, "
        f"{layout['replicas']} replicas; {where}. server-1 is the bench's own server "
        "(no replica): its figures are in the P1 column.",
        "",
        _line(head),
        _line(["---"] * len(head)),
    ]
    keys = [key.split("/") for key in figure if key != "layout"]
    labels = list(dict.fromkeys(label for label, _, _ in keys))
    subjects = list(dict.fromkeys(subject for _, subject, _ in keys))
    phases = list(dict.fromkeys(phase for _, _, phase in keys))
    for label in labels:
        for phase in phases:
            for subject in subjects:
                value = figure.get(f"{label}/{subject}/{phase}")
                if value is None:
                    continue
                replicas = value["replicas_cpu_usec"] if subject.startswith("cluster") else None
                cells = [phase, subject if len(labels) == 1 else f"{label} {subject}",
                         rate(value["rate"]), ratio(value["ratio"]),
                         number(value["client_cpu_usec"]),
                         *(_primary_cell(value, i + 1) for i in range(len(primaries))),
                         number(replicas), number(value["servers_cpu_usec"])]  # fmt: skip
                lines.append(_line(cells))
    return "\n".join(lines)


def markdown(results: Results, pending: str | None = None) -> str:
    """The whole report of a run as Markdown."""
    machine = results["machine"]
    parts = [
        f"Machine: {machine['line']}",
        f"Command: `{results['command']}`",
        "",
        "### Figures (median of "
        f"{results['options']['reps']} runs; N = {results['options']['n']}, "
        f"{results['options']['consumers']} consumer processes)",
        "",
        figures_table(results, pending),
        "",
        "### Targets",
        "",
        goals_table(results, pending),
    ]
    patterns = patterns_table(results)
    if patterns:
        parts += ["", "### Queue patterns (`-q 'tenant-*'` against the plain name)", "", patterns]
    ack = ack_table(results)
    if ack:
        parts += ["", "### Durable acknowledgement (valkey primary + one replica)", "", ack]
    scale = scale_table(results)
    if scale:
        parts += ["", "### Scale-out: one server against a 3-primary cluster", "", scale]
    fair = fair_table(results)
    if fair:
        parts += ["", "### Rate windows and fair groups against plain jobs", "", fair]
    calls = server_calls_table(results)
    if calls:
        parts += ["", "### Server cost per call", "", calls]
    profile = results.get("figures", {}).get("profile")
    if profile:
        for label, value in profile.items():
            parts += [
                "",
                f"### cProfile (CPU time) of one worker child ({label})",
                "",
                "```",
                value["report"].rstrip(),
                "```",
            ]
            if value.get("py_spy"):
                parts += [
                    "",
                    f"py-spy, wall-clock samples of a worker child in another drain ({label}):",
                    "",
                    "```",
                    value["py_spy"].rstrip(),
                    "```",
                ]
    return "\n".join(parts) + "\n"
