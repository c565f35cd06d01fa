"""GET /jobs/{jid}, /jobs?jid=…, /jobs/{jid}/data and /jobs/{jid}/graph."""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

import pytest
from redis import Redis

from reqless.client import Client
from reqless.ui import Role
from reqless.ui.reads.redact import MASK
from tests.ui.conftest import UI, MakeUI
from tests.ui.test_reads_world import build_world


def test_job_view_shape(ui: UI, ui_client: Client) -> None:
    build_world(ui_client)
    ui_client("job.log", "w1", "note", json.dumps({"api_key": "k", "step": 2}))
    body = ui.get("/api/v1/jobs/w1").json()
    assert body["kind"] == "job" and body["jid"] == "w1" and body["state"] == "waiting"
    assert body["klass"] == "pkg.Waiting" and body["queue"] == "q"
    assert body["data"] == {"n": 1, "password": MASK}
    assert body["redacted_paths"] == ["password"]
    assert body["data_is_json"] is True and body["data_truncated"] is False
    assert body["data_size"] == len(json.dumps({"n": 1, "password": "hunter2"}))
    assert body["dependents"] == ["d1"]
    assert body["dependent_jobs"] == [
        {"jid": "d1", "klass": "pkg.Depends", "state": "depends", "queue": "q"}
    ]
    assert [entry["what"] for entry in body["history"]] == ["put", "note"]
    assert body["history"][0]["queue"] == "q" and body["history"][0]["when_at"] > 0
    assert body["history"][1]["api_key"] == MASK and body["history"][1]["step"] == 2
    assert body["throttle_states"][0]["id"] == "ql:q:q"
    assert body["failure"] is None and body["spawned_from_jid"] is None


def test_job_view_failed_and_running(ui: UI, ui_client: Client) -> None:
    build_world(ui_client)
    failed = ui.get("/api/v1/jobs/f1").json()
    assert failed["failure"]["group"] == "g1"
    assert "hunter2" not in failed["failure"]["message"]
    assert failed["failure"]["message_line"] == f"boom password={MASK}"
    assert failed["data"] == {"token": MASK}
    running = ui.get("/api/v1/jobs/r1").json()
    assert running["worker"] == "ui-test-worker" and running["expires_at"] > 0
    assert running["throttle_states"][0]["holding"] is True
    throttled = ui.get("/api/v1/jobs/tb").json()
    assert throttled["throttle_states"][0]["waiting"] is True


def test_recurring_template_view(ui: UI, ui_client: Client) -> None:
    ui_client.queues["q"].recur("pkg.R", {"secret": "s", "x": 1}, 60, jid="tpl")
    ui_client.queues["q"].peek()  # spawns the first child
    body = ui.get("/api/v1/jobs/tpl").json()
    assert body["kind"] == "recurring" and body["interval_s"] == 60
    assert body["data"] == {"secret": MASK, "x": 1}
    assert body["count"] == 1 and body["next_run_at"] is not None
    assert body["last_spawn"] == {"jid": "tpl-1", "state": "waiting"}


def test_unknown_job_is_404(ui: UI) -> None:
    response = ui.get("/api/v1/jobs/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert ui.get("/api/v1/jobs/nope/data").status_code == 404
    assert ui.get("/api/v1/jobs/nope/graph").status_code == 404


def test_jids_with_any_character(ui: UI, ui_client: Client) -> None:
    for jid in ("a/b", "50%", "sp ace", "ü-ñ"):
        ui_client.queues["q"].put("K", {}, jid=jid)
        body = ui.get(f"/api/v1/jobs/{quote(jid, safe='')}").json()
        assert body["jid"] == jid
        assert ui.get(f"/api/v1/jobs/{quote(jid, safe='')}/data").json()["jid"] == jid


def test_big_and_invalid_payloads(ui: UI, ui_client: Client, ui_redis: Redis) -> None:
    big = {"blob": "x" * (300 * 1024)}
    ui_client.queues["q"].put("K", big, jid="big")
    for jid, text in (("text", "not json {"), ("nan", "NaN")):
        ui_client.queues["q"].put("K", {}, jid=jid)
        # Written as another client (or an older core) might have left it.
        ui_redis.hset(f"ql:j:{jid}", "data", text)
    body = ui.get("/api/v1/jobs/big").json()
    assert body["data_truncated"] is True and isinstance(body["data"], str)
    assert len(body["data"]) == 256 * 1024 and body["data_size"] > 300 * 1024
    full = ui.get("/api/v1/jobs/big/data").json()
    assert full["data"] == big and full["data_truncated"] is False
    text = ui.get("/api/v1/jobs/text").json()
    assert text["data"] == "not json {" and text["data_is_json"] is False
    assert ui.get("/api/v1/jobs/nan").json()["data_is_json"] is False


def test_reveal_needs_admin(
    make_ui: MakeUI, ui_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    ui_client.queues["q"].put("K", {"password": "p"}, jid="j")
    caplog.set_level(logging.INFO, logger="reqless.ui.audit")
    viewer = make_ui(authorize=lambda request: Role.VIEWER)
    assert viewer.get("/api/v1/jobs/j/data?reveal=1").status_code == 403
    admin = make_ui(authorize=lambda request: Role.ADMIN)
    body = admin.get("/api/v1/jobs/j/data?reveal=1").json()
    assert body["data"] == {"password": "p"} and body["revealed"] is True
    assert any("reveal" in record.getMessage() for record in caplog.records)
    assert viewer.get("/api/v1/jobs/j/data").json()["data"] == {"password": MASK}


def test_jobs_multi(ui: UI, ui_client: Client) -> None:
    build_world(ui_client)
    body = ui.get("/api/v1/jobs?jid=r1&jid=gone&jid=w1").json()
    assert [row["jid"] for row in body["items"]] == ["r1", "w1"]
    assert body["missing"] == ["gone"]
    assert ui.get("/api/v1/jobs").status_code == 400
    many = "&".join(f"jid=j{i}" for i in range(501))
    response = ui.get(f"/api/v1/jobs?{many}")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["parameter"] == "jid"


def test_graph(ui: UI, ui_client: Client) -> None:
    queue = ui_client.queues["g"]
    queue.put("K", {}, jid="a")
    queue.put("K", {}, jid="b", depends=["a"])
    queue.put("K", {}, jid="c", depends=["b"])
    queue.put("K", {}, jid="d", depends=["c"])
    queue.put("K", {}, jid="e", depends=["d"])
    one = ui.get("/api/v1/jobs/c/graph").json()
    assert {n["jid"] for n in one["nodes"]} == {"b", "c", "d"}
    assert {(e["from"], e["to"]) for e in one["edges"]} == {("b", "c"), ("c", "d")}
    three = ui.get("/api/v1/jobs/a/graph?depth=3").json()
    assert {n["jid"] for n in three["nodes"]} == {"a", "b", "c", "d"}
    assert three["truncated"] is False
    for bad in ("depth=0", "depth=4", "depth=x"):
        assert ui.get(f"/api/v1/jobs/a/graph?{bad}").status_code == 400


def test_graph_node_cap(ui: UI, ui_client: Client) -> None:
    queue = ui_client.queues["g"]
    queue.put("K", {}, jid="root")
    queue.put_many(
        [{"klass": "K", "data": {}, "jid": f"c{i}", "depends": ["root"]} for i in range(250)]
    )
    body = ui.get("/api/v1/jobs/root/graph").json()
    assert len(body["nodes"]) == 200 and body["truncated"] is True
