"""The audit trail (docs/ui.md, Audit trail): one record per change, in the log and, with
--audit-redis, in the capped list `ql:ui:audit`; `GET /audit` for admins."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.keys import UI_AUDIT as AUDIT_KEY
from reqless.ui import Role, UISettings
from tests.ui.conftest import MakeUI
from tests.ui.test_actions_support import as_role


def _records(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "reqless.ui.audit"]


def test_a_change_writes_one_log_record(
    make_ui: MakeUI, ui_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    ui = make_ui()
    jid = ui_client.queues["q"].put("K", {})
    with caplog.at_level(logging.INFO, logger="reqless.ui.audit"):
        assert ui.put(f"/api/v1/jobs/{jid}/priority", {"priority": 4}).status_code == 200
        # Rejected requests change nothing and are not recorded.
        assert ui.put(f"/api/v1/jobs/{jid}/priority", {"priority": "x"}).status_code == 400
    (entry,) = _records(caplog)
    assert entry["action"] == "A-J4" and entry["outcome"] == "ok"
    assert entry["targets"] == {"count": 1, "items": [jid]}
    assert entry["params"] == {"priority": 4}
    assert entry["user"] and entry["role"] == "admin" and entry["instance"] == "default"
    assert entry["address"] and entry["at"] > 0


def test_targets_are_summarised_and_params_redacted(
    make_ui: MakeUI, ui_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    ui = make_ui()
    q = ui_client.queues["q"]
    jids = [q.put("K", {}) for _ in range(30)]
    jid = q.put("K", {"password": "old"})
    sha = json.loads(ui_client("job.get", jid))["data"]
    import hashlib

    with caplog.at_level(logging.INFO, logger="reqless.ui.audit"):
        ui.post("/api/v1/jobs/bulk", {"action": "track", "jids": jids})
        ui.post(
            f"/api/v1/jobs/{jid}/requeue-with-data",
            {
                "data": {"password": "hunter2", "n": 1},
                "expected_data_sha256": hashlib.sha256(sha.encode()).hexdigest(),
            },
        )
    bulk, edit = _records(caplog)
    assert bulk["targets"]["count"] == 30 and len(bulk["targets"]["items"]) == 20
    assert bulk["counts"]["ok"] == 30
    assert "hunter2" not in json.dumps(edit)
    assert edit["params"]["data"]["n"] == 1


def test_core_errors_pass_through_and_are_recorded(
    make_ui: MakeUI, ui_client: Client, ui_redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    ui = make_ui()
    jid = ui_client.queues["q"].put("K", {})
    # A payload written by another client that the core refuses to put again.
    ui_redis.hset(f"ql:j:{jid}", "data", "{not json")
    with caplog.at_level(logging.INFO, logger="reqless.ui.audit"):
        reply = ui.post(f"/api/v1/jobs/{jid}/move", {"queue": "other"})
        missing = ui.post("/api/v1/recurring/nope/move", {"queue": "x"})
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["code"] == "core_error" and error["details"]["core_message"]
    assert missing.status_code == 404
    (entry,) = _records(caplog)
    assert entry["action"] == "A-J2" and entry["outcome"].startswith("core_error: ")
    assert entry["targets"]["items"] == [jid]


def test_audit_redis_keeps_records_and_serves_them_to_admins(
    make_ui: MakeUI, ui_client: Client, ui_redis: Redis
) -> None:
    settings = UISettings(audit_redis=True)
    admin = make_ui(settings=settings, authorize=as_role(Role.ADMIN))
    operator = make_ui(settings=settings, authorize=as_role(Role.OPERATOR))
    q = ui_client.queues["q"]
    first, second = q.put("K", {}), q.put("K", {})
    assert operator.post(f"/api/v1/jobs/{first}/track", {}).status_code == 200
    assert admin.put(f"/api/v1/jobs/{second}/priority", {"priority": 1}).status_code == 200
    assert ui_redis.llen(AUDIT_KEY) == 2

    everything = admin.get("/api/v1/audit").json()
    assert everything["total"] == 2
    assert [item["action"] for item in everything["items"]] == ["A-J4", "A-J7"]
    only = admin.get("/api/v1/audit", params={"action": "A-J7"}).json()
    assert [item["targets"]["items"] for item in only["items"]] == [[first]]
    by_target = admin.get("/api/v1/audit", params={"target": second}).json()
    assert by_target["total"] == 1
    assert admin.get("/api/v1/audit", params={"limit": 501}).status_code == 400
    assert operator.get("/api/v1/audit").status_code == 403


def test_audit_list_is_capped(make_ui: MakeUI, ui_client: Client, ui_redis: Redis) -> None:
    ui_redis.rpush(AUDIT_KEY, *(["{}"] * 10_000))
    admin = make_ui(settings=UISettings(audit_redis=True))
    jid = ui_client.queues["q"].put("K", {})
    assert admin.post(f"/api/v1/jobs/{jid}/track", {}).status_code == 200
    assert ui_redis.llen(AUDIT_KEY) == 10_000
    assert json.loads(ui_redis.lindex(AUDIT_KEY, 0) or "{}")["action"] == "A-J7"


def test_audit_endpoint_is_404_without_audit_redis(make_ui: MakeUI, ui_redis: Redis) -> None:
    ui = make_ui()
    assert ui.get("/api/v1/audit").status_code == 404
    jid_free = ui_redis.exists(AUDIT_KEY)
    assert not jid_free
