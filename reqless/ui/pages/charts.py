"""Geometry of the server-drawn SVG charts.

Python computes numbers only (bar rectangles, axis ticks, hover labels); the
templates in `templates/macros/charts.html` turn them into SVG through the
autoescaping renderer, so no markup is built from strings here. Every chart also
carries the rows of its table view, which is what shows without scripts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BUCKETS",
    "Bar",
    "Chart",
    "Graph",
    "GraphEdge",
    "GraphNode",
    "Tick",
    "bucket_bounds",
    "bucket_label",
    "daily_series",
    "dependency_graph",
    "histogram",
    "throughput",
]

#: The core's histogram positions: 60 seconds, 59 minutes, 23 hours, 6 days.
BUCKETS = 148

WIDTH = 600
HEIGHT = 160
_PLOT_TOP = 8
_PLOT_BOTTOM = 136  # leaves room for the axis labels
_PLOT_HEIGHT = _PLOT_BOTTOM - _PLOT_TOP
_LEFT = 36
_RIGHT = WIDTH - 4


@dataclass(frozen=True)
class Bar:
    """One rectangle; `series` names the colour class, `title` is the hover text."""

    x: float
    y: float
    width: float
    height: float
    series: str
    title: str


@dataclass(frozen=True)
class Tick:
    """An axis label at `x` (bottom axis) or `y` (left axis)."""

    x: float
    y: float
    text: str


@dataclass
class Chart:
    """One chart: bars per scale, axis ticks, and the rows of the table view."""

    label: str
    bars: dict[str, list[Bar]]
    x_ticks: list[Tick]
    y_ticks: dict[str, list[Tick]]
    columns: list[str]
    rows: list[list[str]]
    series: list[str] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def empty(self) -> bool:
        return not any(self.bars.get("linear", []))


def bucket_bounds(index: int) -> tuple[int, int]:
    """The [low, high) range in seconds of histogram position `index`."""
    if index < 60:
        return index, index + 1
    if index < 119:
        minute = index - 59
        return minute * 60, (minute + 1) * 60
    if index < 142:
        hour = index - 118
        return hour * 3600, (hour + 1) * 3600
    day = index - 141
    return day * 86400, (day + 1) * 86400


def bucket_label(index: int) -> str:
    """`12 s`, `3 min`, `5 h`, `2 d`: the bucket a sample of that whole unit falls in."""
    if index < 60:
        return f"{index} s"
    if index < 119:
        return f"{index - 59} min"
    if index < 142:
        return f"{index - 118} h"
    return f"{index - 141} d"


def _scaled(value: float, peak: float, scale: str) -> float:
    if peak <= 0 or value <= 0:
        return 0.0
    if scale == "log":
        return math.log10(1 + value) / math.log10(1 + peak)
    return value / peak


def _y_ticks(peak: float, scale: str) -> list[Tick]:
    if peak <= 0:
        return [Tick(_LEFT - 4, _PLOT_BOTTOM, "0")]
    if scale == "log":
        values = [0.0] + [10.0**p for p in range(int(math.log10(peak)) + 1)]
    else:
        values = [0.0, peak / 2, peak]
    ticks = []
    for value in values:
        y = _PLOT_BOTTOM - _scaled(value, peak, scale) * _PLOT_HEIGHT
        ticks.append(Tick(_LEFT - 4, round(y, 2), _short(value)))
    return ticks


def _short(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M".replace(".0M", "M")
    if value >= 1000:
        return f"{value / 1000:.1f}k".replace(".0k", "k")
    if value == int(value):
        return str(int(value))
    return f"{value:.1f}"


def histogram(counts: Sequence[int], label: str) -> Chart:
    """The wait or run histogram of a stats day: job counts per bucket, both scales.

    The four segments (seconds, minutes, hours, days) get equal widths so the long
    tail stays readable; the bar heights are true counts, never rescaled values.
    """
    values = [int(c) for c in list(counts)[:BUCKETS]]
    values += [0] * (BUCKETS - len(values))
    peak = max(values) if values else 0
    segments = [(0, 60), (60, 119), (119, 142), (142, 148)]
    span = (_RIGHT - _LEFT) / len(segments)
    bars: dict[str, list[Bar]] = {"linear": [], "log": []}
    x_ticks = []
    rows = []
    for number, (start, stop) in enumerate(segments):
        left = _LEFT + number * span
        width = span / (stop - start)
        x_ticks.append(Tick(round(left, 2), HEIGHT - 6, bucket_label(start)))
        for index in range(start, stop):
            count = values[index]
            if not count:
                continue
            low, high = bucket_bounds(index)
            title = f"{_range_text(low, high)}: {count:,} jobs"
            rows.append([_range_text(low, high), f"{count:,}"])
            for scale in ("linear", "log"):
                height = _scaled(count, peak, scale) * _PLOT_HEIGHT
                bars[scale].append(
                    Bar(
                        x=round(left + (index - start) * width, 2),
                        y=round(_PLOT_BOTTOM - height, 2),
                        width=round(max(width - 0.5, 0.5), 2),
                        height=round(max(height, 1.0), 2),
                        series="bar",
                        title=title,
                    )
                )
    return Chart(
        label=label,
        bars=bars,
        x_ticks=x_ticks,
        y_ticks={scale: _y_ticks(peak, scale) for scale in ("linear", "log")},
        columns=["bucket", "jobs"],
        rows=rows,
    )


def _range_text(low: int, high: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if low >= size:
            return f"{low // size}-{high // size} {unit}"
    return f"{low}-{high} s"


_THROUGHPUT_SERIES = ("completed", "failed", "put")


def throughput(
    minutes: Sequence[Mapping[str, Any]], queue: str | None = None, since_at: float | None = None
) -> Chart:
    """The last 60 minutes: completed, failed and put per minute, stacked.

    `minutes` is `relay.throughput()["minutes"]`; with `queue`, only that queue's
    share (`by_queue`) is drawn. Minutes before `since_at` (when the process began
    listening) heard nothing, so they are left out rather than shown as zeros.
    """
    picked = []
    first = int(since_at // 60) * 60 if since_at is not None else None
    for minute in list(minutes)[-60:]:
        if first is not None and float(minute.get("minute_at", 0)) < first:
            continue
        source: Mapping[str, Any] = minute
        if queue is not None:
            source = minute.get("by_queue", {}).get(queue, {})
        values = {name: int(source.get(name, 0) or 0) for name in _THROUGHPUT_SERIES}
        picked.append((float(minute.get("minute_at", 0)), values))
    peak = max((sum(v.values()) for _, v in picked), default=0)
    slot = (_RIGHT - _LEFT) / 60
    offset = 60 - len(picked)
    bars: dict[str, list[Bar]] = {"linear": [], "log": []}
    rows = []
    x_ticks = []
    for position, (minute_at, values) in enumerate(picked):
        x = _LEFT + (offset + position) * slot
        stamp = _hhmm(minute_at)
        if (offset + position) % 10 == 0:
            x_ticks.append(Tick(round(x, 2), HEIGHT - 6, stamp))
        rows.append([stamp, *(f"{values[name]:,}" for name in _THROUGHPUT_SERIES)])
        for scale in ("linear", "log"):
            base = 0.0
            total = sum(values.values())
            top = _scaled(total, peak, scale) * _PLOT_HEIGHT
            for name in _THROUGHPUT_SERIES:
                if not values[name]:
                    continue
                # Each series takes its share of the scaled stack height.
                height = top * values[name] / total
                bars[scale].append(
                    Bar(
                        x=round(x, 2),
                        y=round(_PLOT_BOTTOM - base - height, 2),
                        width=round(max(slot - 1, 1), 2),
                        height=round(max(height, 0.5), 2),
                        series=name,
                        title=f"{stamp} UTC: {values[name]:,} {name}",
                    )
                )
                base += height
    return Chart(
        label="jobs per minute",
        bars=bars,
        x_ticks=x_ticks,
        y_ticks={scale: _y_ticks(peak, scale) for scale in ("linear", "log")},
        columns=["minute (UTC)", *_THROUGHPUT_SERIES],
        rows=rows,
        series=list(_THROUGHPUT_SERIES),
    )


def _hhmm(epoch: float) -> str:
    seconds = int(epoch) % 86400
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def daily_series(days: Sequence[Mapping[str, Any]], key: str, label: str) -> Chart:
    """One bar per UTC day for `key` of each history day (e.g. `completed`).

    Keys naming a mean (`wait_mean_s`, `run_mean_s`) may also be given as
    `wait.mean_s`; missing values count as 0.
    """
    values = []
    for day in days:
        value = _dig(day, key)
        values.append((str(day.get("date", "")), float(value or 0)))
    peak = max((v for _, v in values), default=0.0)
    slot = (_RIGHT - _LEFT) / max(len(values), 1)
    bars: dict[str, list[Bar]] = {"linear": [], "log": []}
    x_ticks = []
    rows = []
    step = max(len(values) // 6, 1)
    for position, (date, value) in enumerate(values):
        x = _LEFT + position * slot
        if position % step == 0:
            x_ticks.append(Tick(round(x, 2), HEIGHT - 6, date[5:]))
        text = _short(value) if value < 1000 else f"{value:,.0f}"
        rows.append([date, text])
        if value <= 0:
            continue
        for scale in ("linear", "log"):
            height = _scaled(value, peak, scale) * _PLOT_HEIGHT
            bars[scale].append(
                Bar(
                    x=round(x, 2),
                    y=round(_PLOT_BOTTOM - height, 2),
                    width=round(max(slot - 1, 1), 2),
                    height=round(max(height, 1.0), 2),
                    series="bar",
                    title=f"{date}: {text}",
                )
            )
    return Chart(
        label=label,
        bars=bars,
        x_ticks=x_ticks,
        y_ticks={scale: _y_ticks(peak, scale) for scale in ("linear", "log")},
        columns=["day (UTC)", label],
        rows=rows,
    )


def _dig(day: Mapping[str, Any], key: str) -> Any:
    value: Any = day
    for part in key.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


@dataclass(frozen=True)
class GraphNode:
    """One job box of the dependency graph; the template links it to the job."""

    jid: str
    label: str
    state: str
    x: float
    y: float
    root: bool


@dataclass(frozen=True)
class GraphEdge:
    """A line from a dependency (left) to its dependent (right)."""

    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class Graph:
    """The laid-out dependency graph: columns by distance, dependencies to the left."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    width: int
    height: int
    box_width: int = 150
    box_height: int = 24


_BOX_W, _BOX_H, _COL_GAP, _ROW_GAP, _PAD = 150, 24, 50, 10, 8


def _ranks(root: str, edges: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Column of each node: dependencies one step left, dependents one step right."""
    links: dict[str, list[tuple[str, int]]] = {}
    for edge in edges:
        before, after = str(edge.get("from")), str(edge.get("to"))
        links.setdefault(before, []).append((after, 1))
        links.setdefault(after, []).append((before, -1))
    ranks = {root: 0}
    queue = [root]
    while queue:
        current = queue.pop(0)
        for other, step in links.get(current, []):
            if other not in ranks:
                ranks[other] = ranks[current] + step
                queue.append(other)
    return ranks


def dependency_graph(graph: Mapping[str, Any]) -> Graph:
    """Lay out `jobs.job_graph()` for an SVG: one column per step from the root."""
    root = str(graph.get("root", ""))
    edges = list(graph.get("edges") or [])
    ranks = _ranks(root, edges)
    info = {str(n.get("jid")): n for n in graph.get("nodes") or []}
    for jid in graph.get("missing") or []:
        info.setdefault(str(jid), {"jid": jid, "klass": "", "state": "missing"})
    columns: dict[int, list[str]] = {}
    for jid in info:
        columns.setdefault(ranks.get(jid, 0), []).append(jid)
    low = min(columns, default=0)
    positions: dict[str, tuple[float, float]] = {}
    nodes = []
    for rank in sorted(columns):
        for row, jid in enumerate(sorted(columns[rank], key=lambda j: (j != root, j))):
            x = _PAD + (rank - low) * (_BOX_W + _COL_GAP)
            y = _PAD + row * (_BOX_H + _ROW_GAP)
            positions[jid] = (x, y)
            node = info[jid]
            klass = str(node.get("klass") or "")
            label = f"{jid[:10]}… {klass}" if len(jid) > 12 else f"{jid} {klass}"
            nodes.append(
                GraphNode(jid, label[:22], str(node.get("state") or "missing"), x, y, jid == root)
            )
    lines = []
    for edge in edges:
        start = positions.get(str(edge.get("from")))
        end = positions.get(str(edge.get("to")))
        if start is None or end is None:
            continue
        lines.append(
            GraphEdge(start[0] + _BOX_W, start[1] + _BOX_H / 2, end[0], end[1] + _BOX_H / 2)
        )
    tallest = max((len(c) for c in columns.values()), default=1)
    return Graph(
        nodes=nodes,
        edges=lines,
        width=int(2 * _PAD + len(columns) * (_BOX_W + _COL_GAP) - _COL_GAP),
        height=int(2 * _PAD + tallest * (_BOX_H + _ROW_GAP) - _ROW_GAP),
    )
