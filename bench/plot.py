"""Draw a run's figures as one PNG: `python bench/plot.py results.json out.png`.

Run with the benchmark's own environment (bench/.venvs/huey), which has matplotlib;
the project does not depend on it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

BASELINE_NAMES = {
    "raw": "raw redis-py",
    "lua": "one-line Lua",
    "minimal": "minimal Lua queue",
    "huey-plain": "huey RedisHuey",
    "huey-priority": "huey PriorityRedisHuey",
}
TARGET_COLOURS = ["#c0504d", "#4f81bd", "#9bbb59", "#8064a2"]
BASELINE_COLOUR = "#a6a6a6"
HUEY_COLOUR = "#f79646"


def _value(figure: dict[str, Any], key: str, field: str) -> float | None:
    value = figure.get(key, {}).get(field)
    return float(value) if isinstance(value, int | float) else None


Bars = list[tuple[str, float | None, str]]
Lines = list[tuple[str, float | None, str]]  # (text, value, the bar it is for)


def _bars(ax: Any, title: str, unit: str, bars: Bars, log: bool, lines: Lines) -> None:
    shown = [(name, value, colour) for name, value, colour in bars if value is not None]
    names = [name for name, _, _ in shown]
    values = [value for _, value, _ in shown]
    positions = range(len(shown))
    ax.barh(list(positions), values, color=[colour for _, _, colour in shown])
    ax.set_yticks(list(positions), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(unit, fontsize=8)
    if log:
        ax.set_xscale("log")
    for position, value in zip(positions, values, strict=True):
        text = f"{value / 1000:.1f}k" if value >= 1000 else f"{value:.3g}"
        ax.text(value, position, " " + text, va="center", fontsize=7)
    ax.tick_params(axis="x", labelsize=7)
    rows = {name: position for position, name in enumerate(names)}
    for text, mark, bar in lines:
        if mark is None or bar not in rows:
            continue
        row = rows[bar]
        ax.plot([mark, mark], [row - 0.45, row + 0.45], color="#2e7d32", linewidth=2)
        ax.text(mark, row + 0.3, f" {text}", color="#2e7d32", fontsize=7)


def main() -> None:
    results = json.loads(Path(sys.argv[1]).read_text())
    output = Path(sys.argv[2])
    figures = results["figures"]
    labels = [t["label"] for t in results["targets"]]
    ref = labels[0]
    colour = {label: TARGET_COLOURS[i % len(TARGET_COLOURS)] for i, label in enumerate(labels)}

    def baseline(name: str) -> str:
        return HUEY_COLOUR if name.startswith("huey") else BASELINE_COLOUR

    def times(value: float | None, factor: float) -> float | None:
        return None if value is None else value * factor

    # (title, unit, bars, log scale, target lines)
    panels: list[tuple[str, str, Bars, bool, Lines]] = []
    if "drain" in figures:
        drain = figures["drain"]
        bars: Bars = []
        for label in labels:
            for key, what in (("worker", "worker program"), ("loop", "library loop")):
                value = _value(drain, f"{label}/{key}", "rate")
                bars.append((f"reqless {label}: {what}", value, colour[label]))
        for name, key in (
            ("huey-plain", "huey-plain/consumer"),
            ("huey-priority", "huey-priority/consumer"),
            ("raw", "raw/loop"),
            ("lua", "lua/loop"),
        ):
            bars.append((BASELINE_NAMES[name], _value(drain, key, "rate"), baseline(name)))
        lines: Lines = [
            (
                "target",
                times(_value(drain, f"{ref}/worker", "rate"), 2.5),
                f"reqless {ref}: worker program",
            ),
            (
                "target",
                times(_value(drain, f"{ref}/loop", "rate"), 1.9),
                f"reqless {ref}: library loop",
            ),
        ]
        n, c = results["options"]["n"], results["options"]["consumers"]
        panels.append((f"Drain {n} no-op jobs, {c} processes", "jobs/s", bars, False, lines))
    if "put" in figures:
        put = figures["put"]
        bars = []
        for label in labels:
            for key, what in (("one", "one by one"), ("bulk", "bulk")):
                value = _value(put, f"{label}/{key}", "rate")
                bars.append((f"reqless {label}: {what}", value, colour[label]))
        for name, key, what in (
            ("huey-plain", "huey-plain/one", "one by one"),
            ("huey-priority", "huey-priority/one", "one by one"),
            ("raw", "raw/one", "LPUSH one by one"),
            ("raw", "raw/pipe", "LPUSH pipelined"),
            ("lua", "lua/one", "one by one"),
            ("lua", "lua/pipe", "pipelined"),
        ):
            bars.append(
                (f"{BASELINE_NAMES[name]}: {what}", _value(put, key, "rate"), baseline(name))
            )
        lines = [
            ("target", times(_value(put, f"{ref}/one", "rate"), 1.6), f"reqless {ref}: one by one"),
            ("target", times(_value(put, "raw/pipe", "rate"), 0.25), f"reqless {ref}: bulk"),
        ]
        panels.append(("Put (one process)", "jobs/s, log scale", bars, True, lines))
    if "pickup" in figures:
        pickup = figures["pickup"]
        bars = []
        for label in labels:
            for q in ("p50", "p99"):
                value = _value(pickup, f"{label}/worker", f"{q}_ms")
                bars.append((f"reqless {label}: worker {q}", value, colour[label]))
        for name, key, what in (
            ("huey-plain", "huey-plain/consumer", "consumer"),
            ("raw", "raw/brpop", "BRPOP"),
        ):
            for q in ("p50", "p99"):
                value = _value(pickup, key, f"{q}_ms")
                bars.append((f"{BASELINE_NAMES[name]}: {what} {q}", value, baseline(name)))
        lines = [
            ("target", 1.0, f"reqless {ref}: worker p50"),
            ("target", 5.0, f"reqless {ref}: worker p99"),
        ]
        panels.append(("Pickup latency, idle consumer", "ms, log scale", bars, True, lines))
    if "server" in figures:
        server = figures["server"]
        bars = []
        for label in labels:
            value = _value(server, f"{label}/lifecycle", "job_cpu_usec")
            bars.append((f"reqless {label}", value, colour[label]))
        for name in ("minimal", "lua", "raw"):
            value = _value(server, f"{name}/lifecycle", "job_cpu_usec")
            bars.append((BASELINE_NAMES[name], value, baseline(name)))
        lines = [
            (
                "target",
                times(_value(server, f"{ref}/lifecycle", "job_cpu_usec"), 0.5),
                f"reqless {ref}",
            ),
        ]
        title = "Server CPU per job (put + pop + complete)"
        panels.append((title, "µs", bars, False, lines))
    if "depth" in figures:
        depth = figures["depth"]
        bars = []
        depths = results["options"]["depths"].split(",")
        for label in labels:
            for field, what in (("usec_per_cycle", "wall"), ("server_script_usec", "in script")):
                for d in depths:
                    value = _value(depth, f"{label}/depth-{d}", field)
                    bars.append(
                        (f"reqless {label}, depth {int(d):,}, {what}", value, colour[label])
                    )
        for d in depths:
            value = _value(depth, f"raw/depth-{d}", "usec_per_cycle")
            bars.append(
                (f"{BASELINE_NAMES['raw']}, depth {int(d):,}, wall", value, BASELINE_COLOUR)
            )
        panels.append(("pop + complete at depth", "µs per cycle", bars, False, []))

    panel_count = len(panels) + (1 if "drain" in figures else 0)
    rows = (panel_count + 1) // 2
    fig, axes = plt.subplots(rows, 2, figsize=(13, 3.4 * rows), squeeze=False)
    flat = list(axes.flat)
    for ax, (title, unit, bars, log, lines) in zip(flat, panels, strict=False):
        _bars(ax, title, unit, bars, log, lines)
    if "drain" in figures:
        _cpu_panel(flat[len(panels)], figures["drain"], labels, colour)
    for ax in flat[panel_count:]:
        ax.axis("off")
    fig.suptitle(results["machine"]["line"], fontsize=9)
    fig.tight_layout()
    fig.savefig(output, dpi=110)


def _cpu_panel(ax: Any, drain: dict[str, Any], labels: list[str], colour: dict[str, str]) -> None:
    """Client and server CPU per job during the drains, stacked."""
    rows: list[tuple[str, str]] = []
    for label in labels:
        rows += [(f"reqless {label}: worker program", f"{label}/worker")]
        rows += [(f"reqless {label}: library loop", f"{label}/loop")]
    rows += [
        (BASELINE_NAMES["huey-plain"], "huey-plain/consumer"),
        (BASELINE_NAMES["raw"], "raw/loop"),
        (BASELINE_NAMES["lua"], "lua/loop"),
    ]
    shown = [(name, key) for name, key in rows if key in drain]
    client = [_value(drain, key, "client_cpu_usec") or 0.0 for _, key in shown]
    server = [_value(drain, key, "server_cpu_usec") or 0.0 for _, key in shown]
    positions = list(range(len(shown)))
    ax.barh(positions, client, color="#4f81bd", label="client processes")
    ax.barh(positions, server, left=client, color="#c0504d", label="server")
    for position, c, s in zip(positions, client, server, strict=True):
        ax.text(c + s, position, f" {c:.0f} + {s:.0f}", va="center", fontsize=7)
    ax.set_yticks(positions, [name for name, _ in shown], fontsize=8)
    ax.invert_yaxis()
    ax.set_title("CPU per job while draining (client + server)", fontsize=10)
    ax.set_xlabel("µs per job", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.legend(fontsize=7, loc="lower right")


if __name__ == "__main__":
    main()
