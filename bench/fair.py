"""The `fair` figure: what rate windows and fair groups add to a pop + complete (issue 24).

Run with `--only fair` (it is not in the default run). One process, in this tree's
reqless, times `--depth-cycles` pop + complete cycles one by one, with each of
`--depths` jobs waiting, for five kinds of jobs:

- plain: no throttle, no group (the baseline);
- throttle: every job on a throttle of its own without any limit (what naming a
  throttle costs, before any window: its slot taken and freed);
- rate: every job on a throttle with a rate window that never fills (1,000,000
  starts per second), so each start is logged and the window checked;
- 1,000 groups: jobs spread evenly over 1,000 fair groups, served in turn;
- one group: every job in a single group (the cost per job in a group's depth).

The figures are the wall time and the server's time inside the core script
(INFO commandstats) per cycle, as ratios to plain at the same depth (target:
at most 1.3x), and each kind's ratio of depth 100k to depth 1k (target: flat),
plus the Redis commands each cycle ran (which no load on the machine changes).
Queues are filled once per kind and depth with `put_many` (not timed), each in a
namespace of its own, and topped up after each run; the runs of every kind at
every depth alternate, so a noisy moment spreads over all.
The ratios are of the best run of each (`--reps` of them): other work on the
machine only ever adds time, so the fastest run is the closest to the cost itself;
the medians are kept too. Beside each ratio is the median of the per-run ratios
(each run of a kind against plain's run of the same round, and of depth 100k
against depth 1k's): a slow spell of the machine then slows both sides of a
ratio, so it is the steadier figure from one run of the bench to the next.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from typing import Any

from bench.figures import QUEUE, Context, Sample, summarise
from bench.harness import ServerCost, snapshot
from reqless.client import Client
from reqless.job import Job

__all__ = ["KINDS", "fair_table", "figure_fair"]

#: The kinds of jobs measured, by name (plain first: the others are read against it).
KINDS = ("plain", "throttle", "rate", "1,000 groups", "one group")
THROTTLE = "bench-rate"
#: A throttle no definition names: no limit, only its slot taken and freed.
OPEN_THROTTLE = "bench-open"
#: A window that never fills: far above what one process can start.
RATE, PER = 1_000_000, 1
GROUPS = 1000
NOOP = "bench_jobs.NoOp"
#: The largest ratio to plain the issue asks for.
TARGET = 1.3


def jobs(kind: str, count: int, offset: int = 0) -> Iterator[dict[str, Any]]:
    """`count` jobs of `kind`, as `put_many` items (groups continue from `offset`)."""
    for index in range(offset, offset + count):
        job: dict[str, Any] = {"klass": NOOP, "data": {}}
        if kind == "rate":
            job["throttles"] = [THROTTLE]
        elif kind == "throttle":
            job["throttles"] = [OPEN_THROTTLE]
        elif kind == "1,000 groups":
            job["group"] = f"tenant-{index % GROUPS}"
        elif kind == "one group":
            job["group"] = "tenant"
        yield job


def fill(client: Client, kind: str, count: int, offset: int = 0) -> None:
    """Put `count` jobs of `kind` in the bench queue (the rate throttle set first)."""
    if kind == "rate":
        client("throttle.set", THROTTLE, 0, 0, "rate", RATE, "per", PER)
    client.queues[QUEUE].put_many(jobs(kind, count, offset))


def cycles(client: Client, count: int) -> Sample:
    """Time `count` pop + complete cycles; wall and server figures per cycle."""
    queue = client.queues[QUEUE]
    redis = client.database
    redis.config_resetstat()
    before = snapshot(redis)
    started = time.perf_counter()
    for _ in range(count):
        job = queue.pop()
        if not isinstance(job, Job):
            raise RuntimeError("the queue ran dry during the fair figure")
        job.complete()
    seconds = time.perf_counter() - started
    after = snapshot(redis)
    cost = ServerCost.from_stats(count, after["cpu"] - before["cpu"], after["commands"])
    return {
        "usec_per_cycle": seconds * 1e6 / count,
        "server_cpu_usec": cost.cpu_usec,
        "server_script_usec": cost.script_usec,
        "server_commands": cost.commands,
    }


def figure_fair(ctx: Context) -> dict[str, Any]:
    """Pop + complete per kind of job and depth, with ratios to plain and across depths."""
    m = ctx.depth_cycles
    results: dict[str, Any] = {}
    # One namespace per kind and depth, every one filled before the first run, so the
    # runs of all of them alternate: a depth's ratio is then read against runs taken
    # at the same moments, not after the other depth's (with more data in the server).
    subjects = [(kind, depth) for depth in ctx.depths for kind in KINDS]
    clients = {subject: Client(ctx.url, hostname="bench", namespace=f"fair{i}")
               for i, subject in enumerate(subjects)}  # fmt: skip
    samples: dict[tuple[str, int], list[Sample]] = {subject: [] for subject in subjects}
    try:
        ctx.flush()
        for (kind, depth), own in clients.items():
            ctx.log(f"  {kind}/depth-{depth}: filling {depth + m} jobs")
            fill(own, kind, depth + m)
        for rep in range(ctx.reps):
            for (kind, depth), own in clients.items():
                sample = cycles(own, m)
                samples[(kind, depth)].append(sample)
                ctx.log(
                    f"    {kind}/depth-{depth} rep {rep + 1}: "
                    f"{sample['usec_per_cycle']:.1f} us/cycle, "
                    f"{sample['server_script_usec']:.1f} us in the script"
                )
                fill(own, kind, m, offset=depth + m * (rep + 1))
    finally:
        for own in clients.values():
            own.database.close()
    for (kind, depth), taken in samples.items():
        value = summarise(taken)
        value["best_usec"] = min(sample["usec_per_cycle"] for sample in taken)
        value["best_script_usec"] = min(sample["server_script_usec"] for sample in taken)
        results[f"{kind}/depth-{depth}"] = value
    add_ratios(results, ctx.depths)
    results["cycles"] = m
    results["depths"] = ctx.depths
    return results


def _paired(base: dict[str, Any], value: dict[str, Any], field: str) -> float | None:
    """The median over runs of `value`'s run / `base`'s run of the same round."""
    pairs = list(zip(base.get("samples", ()), value.get("samples", ()), strict=False))
    if not pairs:
        return None
    return statistics.median(mine[field] / theirs[field] for theirs, mine in pairs)


def add_ratios(results: dict[str, Any], depths: list[int]) -> None:
    """Each kind's ratio to plain at its depth, and of the deepest depth to the shallowest."""
    for depth in depths:
        base = results[f"plain/depth-{depth}"]
        for kind in KINDS:
            value = results[f"{kind}/depth-{depth}"]
            value["ratio"] = value["best_usec"] / base["best_usec"]
            value["script_ratio"] = value["best_script_usec"] / base["best_script_usec"]
            paired = _paired(base, value, "usec_per_cycle")
            if paired is not None:
                value["paired_ratio"] = paired
                value["paired_script_ratio"] = _paired(base, value, "server_script_usec")
    low, high = min(depths), max(depths)
    for kind in KINDS:
        shallow, deep = results[f"{kind}/depth-{low}"], results[f"{kind}/depth-{high}"]
        deep["depth_ratio"] = deep["best_usec"] / shallow["best_usec"]
        deep["depth_script_ratio"] = deep["best_script_usec"] / shallow["best_script_usec"]
        paired = _paired(shallow, deep, "usec_per_cycle")
        if paired is not None:
            deep["paired_depth_ratio"] = paired
            deep["paired_depth_script_ratio"] = _paired(shallow, deep, "server_script_usec")


def _depth_label(depth: int) -> str:
    return f"{depth // 1000}k" if depth >= 1000 and depth % 1000 == 0 else str(depth)


def fair_table(results: dict[str, Any]) -> str:
    """The fair figure as a Markdown table ("" when it was not run)."""
    figure = results.get("figures", {}).get("fair")
    if not figure:
        return ""
    depths = figure["depths"]
    low, high = min(depths), max(depths)
    lines = [
        "| jobs | depth | pop + complete, best (median) µs | ratio to plain, best "
        "(per run) | in the script, best (median) µs | ratio to plain, best (per run) | "
        "Redis commands | "
        f"{_depth_label(high)} vs {_depth_label(low)}, wall / script: best (per run) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        for depth in depths:
            value = figure[f"{kind}/depth-{depth}"]
            across = ""
            if "depth_ratio" in value:
                across = f"{value['depth_ratio']:.2f}x / {value['depth_script_ratio']:.2f}x"
                if "paired_depth_ratio" in value:
                    across += (
                        f" ({value['paired_depth_ratio']:.2f}x / "
                        f"{value['paired_depth_script_ratio']:.2f}x)"
                    )
            ratio, script_ratio = f"{value['ratio']:.2f}x", f"{value['script_ratio']:.2f}x"
            if "paired_ratio" in value:
                ratio += f" ({value['paired_ratio']:.2f}x)"
                script_ratio += f" ({value['paired_script_ratio']:.2f}x)"
            lines.append(
                f"| {kind} | {_depth_label(depth)} | {value['best_usec']:.0f} "
                f"({value['usec_per_cycle']:.0f}) | {ratio} | "
                f"{value['best_script_usec']:.0f} ({value['server_script_usec']:.0f}) | "
                f"{script_ratio} | {value['server_commands']:.1f} | {across} |"
            )
    return "\n".join(lines)
