"""The SVG chart geometry: true counts, both scales, table rows."""

from __future__ import annotations

from reqless.ui.pages import charts


def test_bucket_bounds_follow_the_core_layout() -> None:
    assert charts.bucket_bounds(0) == (0, 1)
    assert charts.bucket_bounds(59) == (59, 60)
    assert charts.bucket_bounds(60) == (60, 120)
    assert charts.bucket_bounds(118) == (3540, 3600)
    assert charts.bucket_bounds(119) == (3600, 7200)
    assert charts.bucket_bounds(141) == (82800, 86400)
    assert charts.bucket_bounds(142) == (86400, 172800)
    assert charts.bucket_bounds(147) == (6 * 86400, 7 * 86400)
    assert [charts.bucket_label(i) for i in (5, 60, 119, 147)] == ["5 s", "1 min", "1 h", "6 d"]


def test_histogram_bars_are_counts_in_both_scales() -> None:
    counts = [0] * 148
    counts[3] = 100
    counts[61] = 10
    counts[147] = 1
    chart = charts.histogram(counts, "wait time")
    linear = chart.bars["linear"]
    log = chart.bars["log"]
    assert len(linear) == len(log) == 3
    tallest = max(linear, key=lambda bar: bar.height)
    assert "100 jobs" in tallest.title and tallest.title.startswith("3-4 s")
    ratio_linear = linear[1].height / linear[0].height
    ratio_log = log[1].height / log[0].height
    assert abs(ratio_linear - 0.1) < 0.02
    assert ratio_log > ratio_linear  # the log scale lifts the small bars
    assert chart.rows == [["3-4 s", "100"], ["2-3 min", "10"], ["6-7 d", "1"]]
    assert not chart.empty


def test_histogram_of_nothing_is_empty_and_tolerates_short_input() -> None:
    chart = charts.histogram([], "run time")
    assert chart.empty
    assert chart.rows == []
    assert chart.y_ticks["linear"][0].text == "0"


def test_throughput_stacks_series_and_filters_by_queue() -> None:
    minutes = [
        {
            "minute_at": 1_700_000_000 + 60 * i,
            "put": i,
            "completed": 2 * i,
            "failed": 1 if i == 5 else 0,
            "by_queue": {"a": {"put": i, "completed": 0, "failed": 0}},
        }
        for i in range(60)
    ]
    chart = charts.throughput(minutes)
    assert chart.series == ["completed", "failed", "put"]
    assert len(chart.rows) == 60
    minute_five = [bar for bar in chart.bars["linear"] if bar.x == chart.bars["linear"][0].x]
    assert minute_five  # the first drawn minute has its stack
    only_a = charts.throughput(minutes, queue="a")
    assert {bar.series for bar in only_a.bars["linear"]} == {"put"}
    since = charts.throughput(minutes, since_at=1_700_000_000 + 60 * 50)
    assert len(since.rows) == 10


def test_daily_series_reads_nested_keys() -> None:
    days = [
        {"date": "2026-11-01", "completed": 5, "wait": {"mean_s": 1.5}},
        {"date": "2026-11-02", "completed": 0, "wait": {"mean_s": 0}},
    ]
    chart = charts.daily_series(days, "wait.mean_s", "mean wait (s)")
    assert chart.rows == [["2026-11-01", "1.5"], ["2026-11-02", "0"]]
    assert len(chart.bars["linear"]) == 1
    assert chart.bars["linear"][0].title == "2026-11-01: 1.5"


def test_dependency_graph_puts_dependencies_left_and_dependents_right() -> None:
    graph = {
        "root": "b",
        "nodes": [
            {"jid": "b", "klass": "K", "state": "depends", "depth": 0},
            {"jid": "a", "klass": "K", "state": "waiting", "depth": 1},
            {"jid": "c", "klass": "K", "state": "depends", "depth": 1},
        ],
        "edges": [{"from": "a", "to": "b"}, {"from": "b", "to": "c"}],
        "missing": ["gone"],
    }
    layout = charts.dependency_graph(graph)
    x = {node.jid: node.x for node in layout.nodes}
    assert x["a"] < x["b"] < x["c"]
    assert {node.state for node in layout.nodes if node.jid == "gone"} == {"missing"}
    assert len(layout.edges) == 2
    assert [node.root for node in layout.nodes if node.jid == "b"] == [True]
