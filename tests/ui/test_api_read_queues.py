"""GET /queues, /queues/{queue}, its jobs by state, stats and history."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from redis import Redis

from reqless.client import Client
from reqless.ui import UISettings
from tests.ui.conftest import UI, MakeUI
from tests.ui.test_reads_world import build_world

ODD_NAMES = ["a/b", "100%", "with space", "ünïcødé-队列", "x?y#z"]


def test_queue_list_shape_and_counts(ui: UI, ui_client: Client) -> None:
    build_world(ui_client)
    body = ui.get("/api/v1/queues?with_stats=1").json()
    assert body["total"] == 3 and body["offset"] == 0 and body["has_more"] is False
    by_name = {q["name"]: q for q in body["items"]}
    q = by_name["q"]
    assert q["counts"] == {
        "running": 1,
        "waiting": 1,
        "scheduled": 1,
        "stalled": 0,
        "depends": 1,
        "throttled": 0,
        "recurring": 1,
    }
    assert q["paused"] is False
    assert q["latency_s"] is not None and q["latency_s"] >= 0
    assert q["today"]["popped"] == 3 and q["today"]["completed"] == 1
    assert q["today"]["failures"] == 1 and q["today"]["still_failed"] == 1
    assert q["throttle"] == {
        "id": "ql:q:q",
        "maximum": 0,
        "in_use": 1,
        "pending": 0,
        "expires_in_s": None,
    }
    assert by_name["tq"]["throttle"]["maximum"] == 1
    assert by_name["tq"]["counts"]["throttled"] == 1
    assert by_name["sq"]["counts"]["stalled"] == 1


def test_queue_list_without_stats_sort_filter(ui: UI, ui_client: Client) -> None:
    for name, n in (("alpha", 1), ("beta", 3), ("gamma", 2)):
        for _ in range(n):
            ui_client.queues[name].put("K", {})
    body = ui.get("/api/v1/queues").json()
    assert [q["name"] for q in body["items"]] == ["alpha", "beta", "gamma"]
    assert body["items"][0]["today"] is None and body["items"][0]["latency_s"] is None
    body = ui.get("/api/v1/queues?sort=waiting&order=desc").json()
    assert [q["name"] for q in body["items"]] == ["beta", "gamma", "alpha"]
    body = ui.get("/api/v1/queues?q=AM").json()
    assert [q["name"] for q in body["items"]] == ["gamma"]
    body = ui.get("/api/v1/queues?sort=completed").json()
    assert body["items"][0]["today"] is None  # sorted by stats, but not asked to show them
    assert ui.get("/api/v1/queues?sort=nope").status_code == 400
    assert ui.get("/api/v1/queues?order=up").status_code == 400
    assert ui.get("/api/v1/queues?with_stats=maybe").status_code == 400


def test_queue_detail_settings_and_draining(make_ui: MakeUI, ui_client: Client) -> None:
    ui = make_ui(UISettings(backlog_threshold_s=-1.0))
    ui_client.queues["q"].put("K", {}, jid="old")
    ui_client("config.set", "q-heartbeat", "30")
    body = ui.get("/api/v1/queues/q?fresh=1").json()
    assert body["known"] is True
    heartbeat = body["settings"]["heartbeat"]
    assert heartbeat["value"] == "30" and heartbeat["source"] == "override"
    assert body["settings"]["max-pop-retry"]["source"] == "default"
    assert body["not_draining"] is True
    ui_client.queues["q"].pause()
    assert ui.get("/api/v1/queues/q?fresh=1").json()["not_draining"] is False
    unknown = ui.get("/api/v1/queues/never").json()
    assert unknown["known"] is False and unknown["counts"]["waiting"] == 0


@pytest.mark.parametrize(
    ("queue", "state", "jid"),
    [
        ("q", "waiting", "w1"),
        ("q", "running", "r1"),
        ("q", "scheduled", "s1"),
        ("q", "depends", "d1"),
        ("sq", "stalled", "st1"),
        ("tq", "throttled", "tb"),
        ("q", "recurring", "rec1"),
    ],
)
def test_queue_jobs_by_state(ui: UI, ui_client: Client, queue: str, state: str, jid: str) -> None:
    build_world(ui_client)
    body = ui.get(f"/api/v1/queues/{queue}/jobs?state={state}").json()
    assert [row["jid"] for row in body["items"]] == [jid]
    assert body["total"] == 1
    row = body["items"][0]
    if state == "recurring":
        assert row["kind"] == "recurring" and row["interval_s"] == 3600
        assert row["next_run_at"] is not None
    else:
        assert row["kind"] == "job" and "data" not in row and "history" not in row
    if state == "scheduled":
        assert row["scheduled_at"] is not None
    if state == "running":
        assert row["worker"] == "ui-test-worker" and row["expires_at"] is not None
        assert row["lock_expired"] is False
    if state == "stalled":
        assert row["lock_expired"] is True and row["state"] == "running"
    if state == "waiting":
        assert row["position"] == 1 and row["tags"] == ["t1", "t2"]
    if state == "depends":
        assert row["dependencies"] == ["w1"]


def test_queue_jobs_bad_state(ui: UI) -> None:
    response = ui.get("/api/v1/queues/q/jobs?state=complete")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["parameter"] == "state"


def test_queue_jobs_paging_bounds(ui: UI, ui_client: Client) -> None:
    queue = ui_client.queues["p"]
    for index in range(7):
        queue.put("K", {}, jid=f"j{index}")
    first = ui.get("/api/v1/queues/p/jobs?state=waiting&offset=0&limit=3").json()
    assert [r["jid"] for r in first["items"]] == ["j0", "j1", "j2"]
    assert first["total"] == 7 and first["has_more"] is True
    assert [r["position"] for r in first["items"]] == [1, 2, 3]
    last = ui.get("/api/v1/queues/p/jobs?state=waiting&offset=6&limit=3").json()
    assert [r["jid"] for r in last["items"]] == ["j6"] and last["has_more"] is False
    past = ui.get("/api/v1/queues/p/jobs?state=waiting&offset=50&limit=3").json()
    assert past["items"] == [] and past["total"] == 7 and past["offset"] == 50
    assert len(ui.get("/api/v1/queues/p/jobs?limit=1").json()["items"]) == 1
    assert len(ui.get("/api/v1/queues/p/jobs?limit=500").json()["items"]) == 7
    for bad in ("offset=-1", "limit=0", "limit=501", "offset=x", "limit=2.5"):
        response = ui.get(f"/api/v1/queues/p/jobs?{bad}")
        assert response.status_code == 400, bad
        assert response.json()["error"]["code"] == "invalid_argument"


@pytest.mark.parametrize("name", ODD_NAMES)
def test_queue_names_with_any_character(ui: UI, ui_client: Client, name: str) -> None:
    ui_client.queues[name].put("K", {}, jid="odd")
    encoded = quote(name, safe="")
    detail = ui.get(f"/api/v1/queues/{encoded}").json()
    assert detail["name"] == name and detail["counts"]["waiting"] == 1
    jobs = ui.get(f"/api/v1/queues/{encoded}/jobs?state=waiting").json()
    assert [r["jid"] for r in jobs["items"]] == ["odd"]
    assert ui.get(f"/api/v1/queues/{encoded}/stats").json()["queue"] == name


def test_stats_day_histograms(ui: UI, ui_client: Client) -> None:
    queue = ui_client.queues["s"]
    for index in range(4):
        queue.put("K", {}, jid=f"j{index}")
    for job in queue.pop(4):
        job.complete()
    body = ui.get("/api/v1/queues/s/stats").json()
    today = datetime.now(UTC).date().isoformat()
    assert body["date"] == today
    assert body["popped"] == 4 and body["completed"] == 4
    for part in ("wait", "run"):
        summary = body[part]
        assert summary["count"] == 4 and len(summary["histogram"]) == 148
        assert summary["histogram"][0] == 4 and summary["unbucketed"] == 0
        assert summary["p50_le_s"] == 1 and summary["p99_le_s"] == 1
    empty = ui.get("/api/v1/queues/s/stats?date=2020-01-02").json()
    assert empty["date"] == "2020-01-02" and empty["wait"]["count"] == 0
    assert empty["wait"]["p50_le_s"] is None
    response = ui.get("/api/v1/queues/s/stats?date=yesterday")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["parameter"] == "date"


def test_percentile_bounds_and_unbucketed() -> None:
    from reqless.ui.reads.stats import bucket_upper_s, histogram_summary

    assert [bucket_upper_s(p) for p in (0, 59, 60, 118, 119, 141, 142, 147)] == [
        1,
        60,
        120,
        3600,
        7200,
        86400,
        172800,
        604800,
    ]
    histogram = [0] * 148
    histogram[2] = 50
    histogram[60] = 40
    histogram[120] = 5
    summary = histogram_summary({"count": 100, "mean": 9, "std": 1, "histogram": histogram})
    assert summary["unbucketed"] == 5
    assert summary["p50_le_s"] == 3
    assert summary["p90_le_s"] == 120
    assert summary["p99_le_s"] is None  # that rank lies among the unbucketed samples


def test_history(ui: UI, ui_client: Client) -> None:
    queue = ui_client.queues["h"]
    queue.put("K", {})
    for job in queue.pop(1):
        job.complete()
    body = ui.get("/api/v1/queues/h/history?days=30").json()
    assert body["days"] == 30 and len(body["items"]) == 30
    assert body["items"][-1]["completed"] == 1
    assert "histogram" not in body["items"][-1]["run"]
    dates = [item["date"] for item in body["items"]]
    assert dates == sorted(dates)
    for bad in ("days=8", "days=x", "days=-7"):
        assert ui.get(f"/api/v1/queues/h/history?{bad}").status_code == 400


def test_queue_list_reads_every_throttle_in_one_round_trip(
    ui: UI, ui_client: Client, ui_redis: Redis
) -> None:
    for index in range(40):
        ui_client.queues[f"q{index:02}"].put("K", {})
    ui_client.queues["q07"].throttle.set_maximum(3)
    ui.get("/api/v1/queues")  # warm: the core library is loaded, caches filled
    ui_redis.config_resetstat()
    body = ui.get("/api/v1/queues").json()
    assert body["total"] == 40
    assert {q["name"]: q["throttle"]["maximum"] for q in body["items"]}["q07"] == 3
    stats = ui_redis.info("commandstats")
    core_calls = sum(
        stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("fcall", "evalsha")
    )
    assert core_calls == 1  # queues.counts; the throttles are plain reads in one pipeline
    assert stats.get("cmdstat_hget", {}).get("calls", 0) == 40
