"""GET /summary, /config, /queue-patterns (+ preview) and /info."""

from __future__ import annotations

import json
from urllib.parse import quote

from redis import Redis

from reqless.client import Client
from reqless.models import QueuePriorityPattern
from reqless.ui import Role, UISettings
from tests.ui.conftest import UI, MakeUI
from tests.ui.test_reads_world import build_world


def test_summary(make_ui: MakeUI, ui_client: Client, ui_redis: Redis) -> None:
    ui = make_ui(UISettings(backlog_threshold_s=-1.0))
    build_world(ui_client)
    ui_client.queues["q"].put("K", {}, jid="tracked-gone")
    ui_client.track("tracked-gone")
    ui_client("job.cancel", "tracked-gone")
    body = ui.get("/api/v1/summary").json()
    health = body["health"]
    assert health["reachable"] is True and health["version"]
    assert health["eviction_policy"] and health["eviction_warning"] is False
    assert health["core"]["sha"] and health["auth_mode"] == "none"
    totals = body["totals"]
    assert totals["waiting"] == 1 and totals["stalled"] == 1 and totals["throttled"] == 1
    assert totals["failed"] == 1 and totals["failed_groups"] == 1
    assert totals["recurring"] == 1 and totals["completed"] == 1 and totals["tracked"] == 1
    kinds = {w["kind"]: w for w in body["warnings"]}
    assert kinds["stalled"]["path"] == "/queues/sq/stalled"
    assert kinds["not_draining"]["targets"] == ["q"]
    assert kinds["group_grew"]["path"] == "/failed/g1"
    assert kinds["tracked_expired"]["count"] == 1
    assert body["top_queues"][0]["name"] == "q"
    assert body["top_queues"][0]["today"]["completed"] == 1
    assert body["top_groups"][0]["group"] == "g1"
    assert "minutes" in body["throughput"]


def test_summary_hides_auth_mode_from_viewers(make_ui: MakeUI) -> None:
    viewer = make_ui(authorize=lambda request: Role.VIEWER)
    assert viewer.get("/api/v1/summary").json()["health"]["auth_mode"] is None


def test_eviction_warning(ui: UI, ui_redis: Redis) -> None:
    ui_redis.config_set("maxmemory", "1gb")
    ui_redis.config_set("maxmemory-policy", "allkeys-lru")
    try:
        health = ui.get("/api/v1/summary").json()["health"]
        assert health["eviction_policy"] == "allkeys-lru" and health["eviction_warning"] is True
    finally:
        ui_redis.config_set("maxmemory", "0")
        ui_redis.config_set("maxmemory-policy", "noeviction")


def test_config(ui: UI, ui_client: Client) -> None:
    ui_client.queues["emails"].put("K", {})
    ui_client.config["heartbeat"] = 30
    ui_client.config["emails-heartbeat"] = 10
    ui_client.config["custom"] = "x"
    body = ui.get("/api/v1/config").json()
    options = {o["key"]: o for o in body["options"]}
    assert options["heartbeat"]["value"] == "30" and options["heartbeat"]["source"] == "set"
    assert options["heartbeat"]["default"] == "60" and options["heartbeat"]["description"]
    assert options["grace-period"]["source"] == "default"
    assert options["custom"]["default"] is None and options["custom"]["source"] == "set"
    assert set(options) >= {
        "application",
        "grace-period",
        "jobs-history",
        "jobs-history-count",
        "max-job-history",
        "max-pop-retry",
        "max-worker-age",
    }
    assert [o["key"] for o in body["queues"]["emails"]] == ["emails-heartbeat"]
    assert "emails-heartbeat" not in options


def test_queue_patterns_and_preview(ui: UI, ui_client: Client) -> None:
    for name in ("mail-a", "mail-b", "billing", "default"):
        ui_client.queues[name].put("K", {})
    patterns = ui_client.queue_patterns
    patterns.set_queue_identifier_patterns({"mail": ["mail-*", "!mail-b"], "all": ["*"]})
    patterns.set_queue_priority_patterns([QueuePriorityPattern(["billing"], True)])
    body = ui.get("/api/v1/queue-patterns").json()
    assert body["identifiers"]["mail"] == ["mail-*", "!mail-b"]
    assert body["priorities"] == [
        {"pattern": ["billing"], "fair": True},
        {"pattern": ["default"], "fair": False},
    ]
    assert body["preview"]["identifiers"]["mail"] == ["mail-a"]
    assert body["preview"]["order"][0] == "billing"
    proposed = quote(json.dumps({"x": ["*-b", "billing"]}))
    tiers = quote(json.dumps([{"pattern": ["default"], "fair": False}, {"pattern": ["mail-*"]}]))
    preview = ui.get(f"/api/v1/queue-patterns/preview?identifiers={proposed}&priorities={tiers}")
    assert preview.json()["identifiers"] == {"x": ["mail-b", "billing"]}
    assert preview.json()["order"][-2:] == ["mail-a", "mail-b"]
    for bad in (
        "identifiers=%7B",
        "identifiers=%5B%5D",
        "priorities=%7B%7D",
        "identifiers=%7B%22a%22%3A%5B1%5D%7D",
    ):
        response = ui.get(f"/api/v1/queue-patterns/preview?{bad}")
        assert response.status_code == 400, bad


def test_info(make_ui: MakeUI) -> None:
    ui = make_ui(UISettings(scan_limit=77, redact_keys=("pin",)), authorize=lambda r: Role.OPERATOR)
    body = ui.get("/api/v1/info").json()
    assert body["versions"]["ui"] and body["versions"]["core"]["sha"]
    assert body["redis"]["version"] and "persistence" in body["redis"]
    assert body["redis"]["eviction_policy"]
    assert body["settings"]["scan_limit"] == 77 and body["settings"]["redact_keys"] == ["pin"]
    assert body["user"]["role"] == "operator"
    assert body["permissions"] == {
        "view": True,
        "operate": True,
        "admin": False,
        "reveal": False,
        "bulk_limit": 1000,
    }
    assert "****" in body["redis"]["url"] or "@" not in body["redis"]["url"]


def test_several_instances(make_ui: MakeUI, ui_client: Client) -> None:
    ui_client.queues["q"].put("K", {}, jid="j")
    ui = make_ui(clients={"one": ui_client, "two": ui_client})
    body = ui.get("/i/two/api/v1/queues").json()
    assert [q["name"] for q in body["items"]] == ["q"]
    assert ui.get("/i/one/api/v1/jobs/j").json()["jid"] == "j"
    assert ui.get("/i/two/api/v1/info").json()["instance"]["name"] == "two"
    assert ui.get("/i/nope/api/v1/queues").status_code == 404


def test_log_messages_are_redacted(ui: UI, ui_client: Client) -> None:
    ui_client.queues["q"].put("K", {}, jid="j")
    ui_client("job.log", "j", "connecting with password=s3cret")
    history = ui.get("/api/v1/jobs/j").json()["history"]
    assert "s3cret" not in history[-1]["what"] and history[-1]["what"].startswith("connecting")


def test_openapi_document(ui: UI) -> None:
    body = ui.get("/api/v1/openapi.json").json()
    assert body["openapi"] == "3.1.0"
    queues = body["paths"]["/api/v1/queues/{queue}/jobs"]["get"]
    names = {(p["name"], p["in"]) for p in queues["parameters"]}
    assert {("queue", "path"), ("state", "query"), ("offset", "query")} <= names
    assert queues["summary"]
    assert "/api/v1/summary" in body["paths"] and "/api/v1/search" in body["paths"]
