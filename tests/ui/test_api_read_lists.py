"""GET /failed, /tracked, /completed, /recurring, /workers, /throttles, /tags."""

from __future__ import annotations

import json
from urllib.parse import quote

from redis import Redis

from reqless.client import Client
from reqless.server import LocalServer
from reqless.ui import UISettings
from reqless.ui.http.paging import Page
from reqless.ui.reads import throttles, tracked
from reqless.ui.reads.redact import MASK
from reqless.ui.state import Instance
from tests.ui.conftest import UI, MakeUI
from tests.ui.test_reads_world import build_world


def _fail(client: Client, queue: str, group: str, message: str, count: int) -> list[str]:
    q = client.queues[queue]
    jids = [q.put("K", {}) for _ in range(count)]
    for job in q.pop(count):
        job.fail(group, message)
    return jids


def test_failed_groups(ui: UI, ui_client: Client) -> None:
    _fail(ui_client, "q", "small", "one", 1)
    _fail(ui_client, "q", "big", "many\ntrace", 3)
    _fail(ui_client, "q", "failed-retries-q", "retries", 2)
    body = ui.get("/api/v1/failed").json()
    assert [g["group"] for g in body["items"]] == ["big", "failed-retries-q", "small"]
    assert body["total_failed"] == 6 and body["group_count"] == 3
    big = body["items"][0]
    # Both sampled jobs failed in q: that is the group's queue.
    assert big["count"] == 3 and big["queue"] == "q" and big["queues"] == ["q"]
    assert big["newest"]["failure"]["message_line"] == "many"
    assert big["oldest"]["jid"] != big["newest"]["jid"]
    assert body["items"][1]["queue"] == "q"
    by_name = ui.get("/api/v1/failed?sort=name&q=ALL").json()
    assert [g["group"] for g in by_name["items"]] == ["small"]
    assert ui.get("/api/v1/failed?sort=size").status_code == 400


def test_failed_group_jobs_newest_first_and_paging(ui: UI, ui_client: Client) -> None:
    jids = _fail(ui_client, "q", "a/b g", "m", 5)
    path = "/api/v1/failed/a%2Fb%20g/jobs"
    body = ui.get(f"{path}?limit=2").json()
    assert body["total"] == 5 and body["has_more"] is True
    newest_first = [row["jid"] for row in ui.get(f"{path}?limit=500").json()["items"]]
    assert sorted(newest_first) == sorted(jids)
    assert newest_first == [row["jid"] for row in ui.get(f"{path}?limit=500").json()["items"]]
    last = ui.get(f"{path}?offset=4&limit=2").json()
    assert len(last["items"]) == 1 and last["has_more"] is False
    assert ui.get(f"{path}?offset=10").json()["items"] == []
    assert ui.get(f"{path}?offset=-1").status_code == 400
    assert ui.get(f"{path}?limit=501").status_code == 400


def test_clusters(make_ui: MakeUI, ui_client: Client) -> None:
    ui = make_ui(UISettings(scan_limit=4))
    _fail(ui_client, "q", "g", "timeout talking to db\nstack", 3)
    _fail(ui_client, "q", "g", "bad input token=abc", 2)
    body = ui.get("/api/v1/failed/g/clusters").json()
    assert body["examined"] == 4 and body["total"] == 5 and body["capped"] is True
    assert sum(c["count"] for c in body["clusters"]) == 4
    full = make_ui().get("/api/v1/failed/g/clusters?limit=100").json()
    assert {c["message_line"]: c["count"] for c in full["clusters"]} == {
        "timeout talking to db": 3,
        f"bad input token={MASK}": 2,
    }
    assert len(full["clusters"][0]["jids"]) == 3
    assert ui.get("/api/v1/failed/g/clusters?limit=0").status_code == 400


def test_tracked_counts_and_tabs(ui: UI, ui_client: Client, ui_redis: Redis) -> None:
    world = build_world(ui_client)
    for jid in (world.waiting, world.running, world.stalled, world.failed, world.complete):
        ui_client.track(jid)
    ui_client.queues["q"].put("K", {}, jid="gone")
    ui_client.track("gone")
    ui_client("job.cancel", "gone")
    body = ui.get("/api/v1/tracked").json()
    assert body["counts"]["all"] == 6 and body["capped"] is False
    assert body["counts"]["waiting"] == 1 and body["counts"]["running"] == 1
    assert body["counts"]["stalled"] == 1 and body["counts"]["failed"] == 1
    assert body["counts"]["complete"] == 1 and body["counts"]["expired"] == 1
    assert body["total"] == 6 and body["items"][0] == {"kind": "expired", "jid": "gone"}
    stalled = ui.get("/api/v1/tracked?state=stalled").json()
    assert [row["jid"] for row in stalled["items"]] == [world.stalled] and stalled["total"] == 1
    expired = ui.get("/api/v1/tracked?state=expired").json()
    assert expired["items"] == [{"kind": "expired", "jid": "gone"}]
    assert ui.get("/api/v1/tracked?state=bogus").status_code == 400
    page = ui.get("/api/v1/tracked?offset=5&limit=5").json()
    assert len(page["items"]) == 1 and page["has_more"] is False


def test_tracked_cap(ui_client: Client) -> None:
    queue = ui_client.queues["q"]
    for index in range(5):
        ui_client.track(queue.put("K", {}, jid=f"t{index}"))
    body = tracked.tracked(Instance("x", ui_client), UISettings(), "waiting", Page(0, 25), cap=3)
    assert body["capped"] is True and body["counted"] == 3
    assert body["counts"]["all"] == 5 and body["counts"]["waiting"] == 3


def test_completed(ui: UI, ui_client: Client) -> None:
    first = ui_client.queues["one"]
    first.put("K", {}, jid="c1")
    for job in first.pop(1):
        job.complete()
    first.put("K", {}, jid="c2")
    for job in first.pop(1):
        job.complete("two")  # moves on to queue two
    for job in ui_client.queues["two"].pop(1):
        job.complete()
    body = ui.get("/api/v1/completed").json()
    assert body["total"] == 2 and {r["jid"] for r in body["items"]} == {"c1", "c2"}
    by_jid = {r["jid"]: r for r in body["items"]}
    assert by_jid["c2"]["queue"] == "two" and by_jid["c1"]["queue"] == "one"
    assert by_jid["c1"]["completed_at"] is not None and by_jid["c1"]["total_s"] >= 0
    assert body["retention"] == {"jobs-history": "604800", "jobs-history-count": "50000"}
    assert ui.get("/api/v1/completed?limit=1").json()["has_more"] is True


def test_recurring_list(ui: UI, ui_client: Client) -> None:
    ui_client.queues["b"].recur("pkg.Beta", {}, 100, offset=50, jid="r-b")
    ui_client.queues["a"].recur("pkg.Alpha", {}, 10, offset=500, jid="r-a")
    ui_client.queues["a"].recur("pkg.Gamma", {}, 1000, offset=5, jid="r-c")
    body = ui.get("/api/v1/recurring").json()
    assert [r["jid"] for r in body["items"]] == ["r-c", "r-b", "r-a"]
    assert body["total"] == 3
    by_queue = ui.get("/api/v1/recurring?sort=queue").json()
    assert [r["jid"] for r in by_queue["items"]] == ["r-c", "r-a", "r-b"]
    by_interval = ui.get("/api/v1/recurring?sort=interval").json()
    assert [r["jid"] for r in by_interval["items"]] == ["r-a", "r-b", "r-c"]
    filtered = ui.get("/api/v1/recurring?queue=a&q=alp").json()
    assert [r["jid"] for r in filtered["items"]] == ["r-a"]
    assert ui.get("/api/v1/recurring?sort=klass").status_code == 400
    paged = ui.get("/api/v1/recurring?offset=2&limit=1").json()
    assert [r["jid"] for r in paged["items"]] == ["r-a"] and paged["has_more"] is False


def test_workers(make_ui: MakeUI, ui_client: Client, ui_redis: Redis) -> None:
    ui = make_ui(UISettings(worker_active_s=60, worker_quiet_s=600))
    build_world(ui_client)
    ui_redis.zadd("ql:workers", {"old": 1.0, "idle": ui_redis.time()[0] - 120})
    ui_redis.zadd("ql:w:old:jobs", {"ghost": 5.0})
    body = ui.get("/api/v1/workers").json()
    by_name = {w["name"]: w for w in body["items"]}
    assert by_name["ui-test-worker"]["status"] == "active"
    assert by_name["ui-test-worker"]["running"] == 2 and by_name["ui-test-worker"]["stalled"] == 1
    assert by_name["idle"]["status"] == "quiet"
    # The core forgets workers older than max-worker-age as it lists them.
    assert "old" not in by_name
    assert body["counts"] == {"active": 1, "quiet": 1, "stale": 0}
    detail = ui.get("/api/v1/workers/ui-test-worker").json()
    assert detail["worker"]["name"] == "ui-test-worker"
    assert {r["jid"] for r in detail["running"]["items"]} == {"r1", "ta"}
    assert [r["jid"] for r in detail["stalled"]["items"]] == ["st1"]
    assert ui.get("/api/v1/workers/nobody").status_code == 404


def test_worker_stale_holding(make_ui: MakeUI, ui_client: Client, ui_redis: Redis) -> None:
    ui_client("config.set", "max-worker-age", 10**9)
    ui = make_ui()
    now = float(ui_redis.time()[0])
    ui_redis.zadd("ql:workers", {"ancient": now - 7200})
    ui_redis.zadd("ql:w:ancient:jobs", {"j": now - 100})
    body = ui.get("/api/v1/workers").json()
    assert body["counts"]["stale"] == 1 and body["stale_holding"] == ["ancient"]


def test_throttles(ui: UI, ui_client: Client) -> None:
    build_world(ui_client)
    ui_client("throttle.set", "named", 2, 1000)
    ui_client.queues["n"].put("K", {}, jid="n1", throttles=["named"])
    body = ui.get("/api/v1/throttles").json()
    by_id = {t["id"]: t for t in body["items"]}
    assert by_id["ql:q:tq"] == {
        "id": "ql:q:tq",
        "kind": "queue",
        "queue": "tq",
        "maximum": 1,
        "in_use": 1,
        "pending": 1,
        "expires_in_s": None,
        "exists": True,
        "expired_holding": False,
        "rate": None,
        "per": None,
        "used": None,
        "reopens_at": None,
        "template": None,
    }
    named = by_id["named"]
    assert named["kind"] == "named" and named["maximum"] == 2
    assert 0 < named["expires_in_s"] <= 1000
    assert body["capped"] is False
    pending = ui.get("/api/v1/throttles/ql%3Aq%3Atq?list=pending").json()
    assert [r["jid"] for r in pending["jobs"]["items"]] == ["tb"]
    locks = ui.get("/api/v1/throttles/ql%3Aq%3Atq").json()
    assert [r["jid"] for r in locks["jobs"]["items"]] == ["ta"]
    assert ui.get("/api/v1/throttles/x?list=other").status_code == 400


def test_throttle_expired_still_holding(ui: UI, ui_client: Client, ui_redis: Redis) -> None:
    ui_client("throttle.set", "gone", 1)
    queue = ui_client.queues["q"]
    queue.put("K", {}, jid="h1", throttles=["gone"])
    queue.put("K", {}, jid="h2", throttles=["gone"])
    queue.pop(2)
    ui_client("throttle.delete", "gone")
    body = ui.get("/api/v1/throttles?fresh=1").json()
    gone = {t["id"]: t for t in body["items"]}["gone"]
    assert gone["expired_holding"] is True and gone["expires_in_s"] is None
    assert gone["in_use"] == 1 and gone["pending"] == 1


def test_throttle_scan_cap(ui_client: Client, ui_redis: Redis) -> None:
    for index in range(6):
        ui_client("throttle.set", f"t{index}", 1)
    body = throttles.throttles(Instance("x", ui_client), cap=3, fresh=True)
    assert body["capped"] is True and body["scanned_keys"] == 3
    assert len(body["items"]) == 3


def test_tags(ui: UI, ui_client: Client) -> None:
    build_world(ui_client)
    top = ui.get("/api/v1/tags").json()
    assert {(t["tag"], t["count"]) for t in top["items"]} == {("t1", 2), ("t2", 2)}
    assert top["total"] is None
    one = ui.get("/api/v1/tags?limit=1").json()
    assert len(one["items"]) == 1 and one["has_more"] is True
    tagged = ui.get("/api/v1/tags/t1/jobs").json()
    assert tagged["total"] == 2 and {r["jid"] for r in tagged["items"]} == {"w1", "f1"}
    ui_client.queues["q"].put("K", {}, jid="slash", tags=["a/b"])
    assert ui.get("/api/v1/tags/a%2Fb/jobs").json()["total"] == 1
    assert ui.get("/api/v1/tags/t1/jobs?limit=501").status_code == 400
    assert json.dumps(tagged)  # plain JSON


def test_odd_names_in_every_path(ui: UI, ui_client: Client, ui_server: LocalServer) -> None:
    name = "a/b %c ü<x>"
    enc = quote(name, safe="")
    # A worker with the odd name, so the worker registry holds it too.
    worker = Client(ui_server.url, hostname=name, retry_window=0)
    try:
        queue = worker.queues[name]
        queue.put("K", {}, jid=name, tags=[name], throttles=[name])
        worker("throttle.set", name, 3)
        for job in queue.pop(1):
            job.fail(name, "m")
        assert ui.get(f"/api/v1/failed/{enc}/jobs").json()["total"] == 1
        assert ui.get(f"/api/v1/tags/{enc}/jobs").json()["total"] == 1
        assert ui.get(f"/api/v1/workers/{enc}").json()["worker"]["name"] == name
        assert ui.get(f"/api/v1/throttles/{enc}").json()["throttle"]["maximum"] == 3
        assert ui.get(f"/api/v1/jobs/{enc}").json()["failure"]["group"] == name
        assert ui.get(f"/api/v1/queues/{enc}").json()["name"] == name
    finally:
        worker.database.close()
