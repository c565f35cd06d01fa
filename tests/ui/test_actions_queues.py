"""Queue actions (docs/ui.md, Actions): pause/resume, bulk, forget, queue throttle and overrides."""

from __future__ import annotations

import json

from redis import Redis

from reqless.client import Client
from reqless.ui import Role
from tests.ui.conftest import UI, MakeUI
from tests.ui.test_actions_support import as_role, dump


def test_pause_and_resume(ui: UI, ui_client: Client) -> None:
    ui_client.queues["a/b"].put("K", {})
    assert ui.post("/api/v1/queues/a%2Fb/pause", {}).status_code == 200
    assert ui_client.queues["a/b"].counts["paused"] is True
    assert ui.post("/api/v1/queues/a%2Fb/resume", {}).status_code == 200
    assert ui_client.queues["a/b"].counts["paused"] is False


def test_bulk_pause_resume_and_forget(ui: UI, ui_client: Client) -> None:
    ui_client.queues["busy"].put("K", {})
    ui_client.queues["idle"].put("K", {}, jid="gone")
    ui_client("job.cancel", "gone")
    reply = ui.post("/api/v1/queues/bulk", {"action": "pause", "queues": ["busy", "idle"]})
    assert reply.status_code == 200 and reply.json()["ok"] == 2
    reply = ui.post("/api/v1/queues/bulk", {"action": "forget", "queues": ["busy", "idle", "x"]})
    result = reply.json()
    assert result["ok"] == 1
    assert {item["jid"] for item in result["skipped"]} == {"busy", "x"}
    assert ui_client.queues.names == ["busy"]
    assert ui.post("/api/v1/queues/bulk", {"action": "drop", "queues": ["busy"]}).status_code == 400


def test_forget_only_when_empty_unless_forced(ui: UI, ui_client: Client, ui_redis: Redis) -> None:
    ui_client.queues["q"].put("K", {})
    before = dump(ui_redis)
    reply = ui.delete("/api/v1/queues/q", {})
    assert reply.status_code == 409
    assert reply.json()["error"]["details"]["counts"] == {"waiting": 1}
    assert dump(ui_redis) == before
    assert ui.delete("/api/v1/queues/q", {"force": True}).status_code == 200
    assert ui_client.queues.names == []
    assert ui.delete("/api/v1/queues/q", {}).status_code == 404


def test_forget_is_for_admins(make_ui: MakeUI, ui_client: Client) -> None:
    operator = make_ui(authorize=as_role(Role.OPERATOR))
    ui_client.queues["q"].put("K", {}, jid="j")
    ui_client("job.cancel", "j")
    assert operator.delete("/api/v1/queues/q", {}).status_code == 403
    assert operator.post("/api/v1/queues/q/pause", {}).status_code == 200
    reply = operator.post("/api/v1/queues/bulk", {"action": "forget", "queues": ["q"]})
    assert reply.status_code == 403


def test_queue_throttle_maximum_keeps_the_expiry(ui: UI, ui_client: Client) -> None:
    reply = ui.put("/api/v1/queues/q/throttle", {"maximum": 3, "expires_in_s": 1000})
    assert reply.status_code == 200, reply.text
    assert 0 < reply.json()["expires_in_s"] <= 1000
    reply = ui.put("/api/v1/queues/q/throttle", {"maximum": 5})
    assert reply.status_code == 200
    current = json.loads(ui_client("throttle.get", "ql:q:q"))
    assert current["maximum"] == 5 and 0 < current["ttl"] <= 1000
    # Setting only the expiry keeps the maximum.
    assert ui.put("/api/v1/queues/q/throttle", {"expires_in_s": 50}).status_code == 200
    assert json.loads(ui_client("throttle.get", "ql:q:q"))["maximum"] == 5


def test_queue_throttle_bounds(ui: UI, ui_redis: Redis) -> None:
    before = dump(ui_redis)
    for body in [{}, {"maximum": -1}, {"maximum": 1.5}, {"expires_in_s": 0},
                 {"maximum": 1, "expires_in_s": -5}, {"maximum": 1, "ttl": 5}]:  # fmt: skip
        reply = ui.put("/api/v1/queues/q/throttle", body)
        assert reply.status_code == 400, body
    assert dump(ui_redis) == before


def test_queue_settings_set_and_unset(ui: UI, ui_client: Client, ui_redis: Redis) -> None:
    reply = ui.put("/api/v1/queues/q/settings", {"heartbeat": 120, "max_pop_retry": 3})
    assert reply.status_code == 200, reply.text
    assert ui_client("config.get", "q-heartbeat") == "120"
    assert ui_client("config.get", "q-max-pop-retry") == "3"
    assert ui.put("/api/v1/queues/q/settings", {"heartbeat": None}).status_code == 200
    assert ui_client("config.get", "q-heartbeat") is None
    before = dump(ui_redis)
    for body in [{}, {"heartbeat": "60"}, {"heartbeat": 0}, {"max_pop_retry": 2.5}]:
        assert ui.put("/api/v1/queues/q/settings", body).status_code == 400, body
    assert dump(ui_redis) == before
