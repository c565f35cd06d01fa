"""The scale-out benchmark (`python -m bench --only scale`): its namespaces, its
accounting per primary, its table, and its phases run on a real cluster."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.crc import key_slot

from bench.figures import QUEUE, Context, Target
from bench.report import markdown, scale_table
from bench.scale import (
    Layout,
    Servers,
    Subject,
    cost_sample,
    measure_loop,
    measure_put,
    measure_worker,
    pick_namespaces,
    split,
)
from reqless.keys import KeySpace

SLOTS = 16384


def _thirds(name: str) -> int:
    """The primary (0-2) of `name` when 3 primaries split the slots evenly."""
    return key_slot(KeySpace(name).prefix.encode()) * 3 // SLOTS


def test_pick_namespaces_gives_one_name_per_primary_in_order() -> None:
    names = pick_namespaces(_thirds, 3)
    assert [_thirds(name) for name in names] == [0, 1, 2]
    assert all(name.startswith("bench-") for name in names)


def test_pick_namespaces_says_when_a_primary_gets_no_name() -> None:
    with pytest.raises(RuntimeError, match="each of 2 primaries"):
        pick_namespaces(lambda name: 0, 2)


def test_split_spreads_the_remainder() -> None:
    assert split(10, 3) == [4, 3, 3]
    assert sum(split(10_000, 3)) == 10_000


def _subject(homes: list[int], primaries: int = 3, replicas: int = 3) -> Subject:
    servers = Servers("redis+cluster://unused", [None] * primaries, [None] * replicas)  # type: ignore[list-item]
    return Subject(servers, [f"ns{i}" for i in range(len(homes))], homes)


def test_cost_sample_charges_each_primary_for_the_jobs_it_served() -> None:
    subject = _subject([0, 2])
    before = ([1.0, 2.0, 3.0], [0.5, 0.5, 0.5])
    after = ([1.3, 2.001, 3.1], [0.6, 0.5, 0.55])
    sample = cost_sample(subject, before, after, [300, 100], seconds=2.0, client_cpu=0.04)
    assert sample["rate"] == 200
    assert sample["client_cpu_usec"] == pytest.approx(100)
    assert (sample["p1_jobs"], sample["p2_jobs"], sample["p3_jobs"]) == (300, 0, 100)
    assert sample["p1_cpu_usec"] == pytest.approx(1000)
    assert sample["p3_cpu_usec"] == pytest.approx(1000)
    assert sample["p2_cpu_usec"] == 0.0  # idle: its CPU is kept in ms, not per job
    assert sample["p2_cpu_ms"] == pytest.approx(1.0)
    assert sample["replicas_cpu_usec"] == pytest.approx(0.15 * 1e6 / 400)
    assert sample["servers_cpu_usec"] == pytest.approx((0.401 + 0.15) * 1e6 / 400)


def _value(rate: float, ratio: float, jobs: list[int]) -> dict[str, float]:
    value = {"rate": rate, "ratio": ratio, "client_cpu_usec": 50.0}
    for i, served in enumerate(jobs):
        value[f"p{i + 1}_jobs"] = served
        value[f"p{i + 1}_cpu_ms"] = 2.0
        value[f"p{i + 1}_cpu_usec"] = 40.0 if served else 0.0
    return value | {"replicas_cpu_usec": 12.0, "servers_cpu_usec": 80.0}


def test_scale_table_shows_jobs_and_cpu_per_primary() -> None:
    layout = {
        "server": "redis",
        "replicas": 3,
        "primaries": [
            {"slots": "0-5460", "namespace": "bench-2", "namespace_slot": 4091},
            {"slots": "5461-10921", "namespace": "bench-3", "namespace_slot": 8154},
            {"slots": "10922-16383", "namespace": "bench-0", "namespace_slot": 12217},
        ],
    }
    figure = {
        "reqless/server-1/put": _value(1000, 1.0, [900]),
        "reqless/cluster-2/put": _value(2500, 2.5, [450, 450, 0]),
        "layout": layout,
    }
    results = {"figures": {"scale": figure}}
    table = scale_table(results)
    rows = [line for line in table.splitlines() if line.startswith("| put")]
    assert rows == [
        "| put | server-1 | 1.0k | 1.00x | 50.0 | 900 · 40.0 |  |  | - | 80.0 |",
        "| put | cluster-2 | 2.5k | 2.50x | 50.0 | 450 · 40.0 | 450 · 40.0 | idle (2.0 ms) "
        "| 12.0 | 80.0 |",
    ]
    assert "namespace `bench-3` (slot 8154)" in table
    assert scale_table({"figures": {}}) == ""


def test_markdown_includes_the_scale_table() -> None:
    results = {
        "machine": {"line": "test machine"},
        "command": "python -m bench --only scale",
        "options": {"reps": 1, "n": 10, "consumers": 2},
        "targets": [{"label": "reqless"}],
        "figures": {
            "scale": {
                "reqless/server-1/loop": _value(10, 1.0, [10]),
                "layout": {"server": "valkey", "replicas": 0, "primaries": []},
            }
        },
    }
    assert "### Scale-out" in markdown(results)


@pytest.fixture(scope="module")
def layout() -> Iterator[Layout]:
    started = Layout.start("redis")
    try:
        yield started
    finally:
        started.stop()


def test_layout_puts_each_namespace_on_its_own_primary(layout: Layout) -> None:
    ports = [p.connection_pool.connection_kwargs["port"] for p in layout.servers.primaries]
    for namespace, port in zip(layout.namespaces, ports, strict=True):
        slot = key_slot(KeySpace(namespace).prefix.encode())
        assert layout.cluster.node_for_slot(slot).port == port
    assert sorted(home for _, home in layout.servers.replicas) == [0, 1, 2]


def _context(tmp_path: Path, n: int) -> Context:
    worker = Path(sys.executable).parent / "reqless-py-worker"
    target = Target(
        "reqless", Path(sys.executable), {"worker": str(worker), "put_many_form": "[{klass, data}]"}
    )
    return Context(
        redis=None,  # type: ignore[arg-type]  # the phases use the subject's servers only
        url="unused",
        n=n,
        consumers=2,
        reps=1,
        targets=[target],
        huey=None,
        workdir=tmp_path,
        interval=0.05,
        server_n=0,
        depths=[],
        depth_cycles=0,
        pickup_jobs=0,
        pickup_gap=0,
        log=lambda message: None,
    )


def test_phases_count_the_jobs_each_primary_really_served(layout: Layout, tmp_path: Path) -> None:
    ctx = _context(tmp_path, 31)
    subject = Subject(layout.servers, layout.namespaces[:2], [0, 1])
    target = ctx.targets[0]

    def completed() -> list[int]:
        return [
            int(primary.zcard(KeySpace(ns).COMPLETED))
            for primary, ns in zip(layout.servers.primaries, layout.namespaces, strict=True)
        ]

    layout.servers.flush()
    put = measure_put(ctx, target, subject)
    assert (put["p1_jobs"], put["p2_jobs"], put["p3_jobs"]) == (16, 15, 0)
    waiting = [
        int(primary.zcard(KeySpace(ns).queue(QUEUE, "work")))
        for primary, ns in zip(layout.servers.primaries, layout.namespaces, strict=True)
    ]
    assert waiting == [16, 15, 0]

    layout.servers.flush()
    loop = measure_loop(ctx, target, subject)
    assert (loop["p1_jobs"], loop["p2_jobs"], loop["p3_jobs"]) == (16, 15, 0)
    assert completed() == [16, 15, 0]

    layout.servers.flush()
    worker = measure_worker(ctx, target, subject)
    assert completed() == [16, 15, 0]
    # The window opens at the first completion seen: the jobs done before it are not in it.
    assert worker["p3_jobs"] == 0
    assert 0 < worker["jobs"] == worker["p1_jobs"] + worker["p2_jobs"] <= 31
    layout.servers.flush()
