"""The `fair` benchmark figure (`python -m bench --only fair`, issue 24): its jobs really
use a rate window and groups, its ratios are read against plain, and its table."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis import Redis

from bench.fair import (
    KINDS,
    OPEN_THROTTLE,
    THROTTLE,
    add_ratios,
    cycles,
    fair_table,
    figure_fair,
    fill,
    jobs,
)
from bench.figures import QUEUE, Context
from reqless.client import Client
from reqless.server import LocalServer


def test_each_kind_puts_the_jobs_it_names() -> None:
    assert list(jobs("plain", 2)) == [{"klass": "bench_jobs.NoOp", "data": {}}] * 2
    assert all(job["throttles"] == [THROTTLE] for job in jobs("rate", 3))
    assert all(job["throttles"] == [OPEN_THROTTLE] for job in jobs("throttle", 3))
    assert [job["group"] for job in jobs("1,000 groups", 3, offset=999)] == [
        "tenant-999",
        "tenant-0",
        "tenant-1",
    ]
    assert {job["group"] for job in jobs("one group", 5)} == {"tenant"}


def test_rate_jobs_log_every_start_in_the_window(server: LocalServer, redis: Redis) -> None:
    client = Client(server.url, hostname="bench")
    fill(client, "rate", 30)
    sample = cycles(client, 10)
    assert redis.zcard(f"ql:th:{THROTTLE}-starts") == 10
    assert redis.zcard(f"ql:q:{QUEUE}-work") == 20
    assert sample["usec_per_cycle"] > 0
    assert sample["server_script_usec"] > 0


def test_grouped_jobs_wait_in_their_groups(server: LocalServer, redis: Redis) -> None:
    client = Client(server.url, hostname="bench")
    fill(client, "1,000 groups", 30)
    assert redis.zcard(f"ql:q:{QUEUE}-groups") == 30
    fill(client, "one group", 1)
    assert redis.zcard(f"ql:q:{QUEUE}-groups") == 31


def _value(usec: float, script: float) -> dict[str, float]:
    # The medians are twice the best runs: the ratios are of the best.
    return {"best_usec": usec, "best_script_usec": script,
            "usec_per_cycle": 2 * usec, "server_script_usec": 2 * script}  # fmt: skip


def test_ratios_are_to_plain_at_the_same_depth_and_across_depths() -> None:
    results = {
        f"{kind}/depth-{depth}": _value(100 * factor * (2 if depth == 10 else 1), 50 * factor)
        for depth in (1, 10)
        for kind, factor in zip(KINDS, (1.0, 1.1, 1.2, 1.5, 3.0), strict=True)
    }
    add_ratios(results, [1, 10])
    assert results["rate/depth-1"]["ratio"] == pytest.approx(1.2)
    assert results["1,000 groups/depth-10"]["ratio"] == pytest.approx(1.5)
    assert results["one group/depth-10"]["script_ratio"] == pytest.approx(3.0)
    assert results["plain/depth-10"]["depth_ratio"] == pytest.approx(2.0)
    assert results["rate/depth-10"]["depth_script_ratio"] == pytest.approx(1.0)
    assert "depth_ratio" not in results["plain/depth-1"]
    assert "paired_ratio" not in results["rate/depth-1"]  # no runs to pair


def test_per_run_ratios_pair_each_run_with_plains_run_beside_it() -> None:
    def runs(*usecs: float) -> dict[str, object]:
        samples = [{"usec_per_cycle": u, "server_script_usec": u / 2} for u in usecs]
        return {**_value(min(usecs), min(usecs) / 2), "samples": samples}

    # A slow spell in run 2 slows both; paired, rate is 1.2x in every run.
    results = {f"{kind}/depth-1": runs(100, 300, 110) for kind in KINDS}
    results["rate/depth-1"] = runs(120, 360, 132)
    add_ratios(results, [1])
    assert results["rate/depth-1"]["paired_ratio"] == pytest.approx(1.2)
    assert results["rate/depth-1"]["paired_script_ratio"] == pytest.approx(1.2)
    assert results["plain/depth-1"]["paired_ratio"] == 1.0


def test_the_depth_ratio_pairs_runs_of_the_same_round() -> None:
    def runs(*usecs: float) -> dict[str, object]:
        samples = [{"usec_per_cycle": u, "server_script_usec": u} for u in usecs]
        return {**_value(min(usecs), min(usecs)), "samples": samples}

    results = {f"{kind}/depth-1": runs(100, 300, 100) for kind in KINDS}
    results |= {f"{kind}/depth-10": runs(110, 330, 110) for kind in KINDS}
    add_ratios(results, [1, 10])
    deep = results["rate/depth-10"]
    assert deep["paired_depth_ratio"] == pytest.approx(1.1)
    assert deep["paired_depth_script_ratio"] == pytest.approx(1.1)
    for value in results.values():
        value["server_commands"] = 37.0
    text = fair_table({"figures": {"fair": {**results, "depths": [1, 10]}}})
    assert "| 1.10x / 1.10x (1.10x / 1.10x) |" in text


def test_the_figure_runs_every_kind_at_every_depth(
    server: LocalServer, redis: Redis, tmp_path: Path
) -> None:
    ctx = Context(redis=redis, url=server.url, n=0, consumers=1, reps=2, targets=[], huey=None,
                  workdir=tmp_path, interval=0.1, server_n=0, depths=[20, 60], depth_cycles=10,
                  pickup_jobs=0, pickup_gap=0, log=lambda message: None)  # fmt: skip
    figure = figure_fair(ctx)
    for kind in KINDS:
        for depth in (20, 60):
            value = figure[f"{kind}/depth-{depth}"]
            assert len(value["samples"]) == 2
            assert 0 < value["best_usec"] <= value["usec_per_cycle"]
            assert value["best_usec"] == min(s["usec_per_cycle"] for s in value["samples"])
            assert value["server_commands"] > 0
    assert figure["plain/depth-20"]["ratio"] == 1.0
    assert figure["rate/depth-60"]["paired_ratio"] > 0
    text = fair_table({"figures": {"fair": figure}})
    assert text.count("\n") == 2 + 2 * len(KINDS) - 1
    assert "| 1,000 groups | 60 |" in text
    assert fair_table({"figures": {}}) == ""
