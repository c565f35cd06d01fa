"""Admin actions (docs/ui.md, Actions): throttles, config, queue patterns, workers."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.ui import Role
from tests.ui.conftest import UI, MakeUI
from tests.ui.test_actions_support import as_role, dump


def test_throttle_set_and_delete(ui: UI, ui_client: Client) -> None:
    reply = ui.put("/api/v1/throttles/th%2F1", {"maximum": 2})
    assert reply.status_code == 200, reply.text
    assert reply.json() == {
        "id": "th/1", "maximum": 2, "expires_in_s": None, "rate": None, "per": None,
    }  # fmt: skip
    assert ui.put("/api/v1/throttles/th%2F1", {"expires_in_s": 100}).status_code == 200
    current = json.loads(ui_client("throttle.get", "th/1"))
    assert current["maximum"] == 2 and 0 < current["ttl"] <= 100
    assert ui.delete("/api/v1/throttles/th%2F1", {}).status_code == 200
    assert json.loads(ui_client("throttle.get", "th/1"))["maximum"] == 0


def test_operators_cannot_reach_admin_actions(
    make_ui: MakeUI, ui_client: Client, ui_redis: Redis
) -> None:
    operator = make_ui(authorize=as_role(Role.OPERATOR))
    ui_client.queues["q"].put("K", {})
    before = dump(ui_redis)
    for method, path, body in [
        ("PUT", "/api/v1/throttles/t", {"maximum": 1}),
        ("DELETE", "/api/v1/throttles/t", {}),
        ("PUT", "/api/v1/config/heartbeat", {"value": 5}),
        ("DELETE", "/api/v1/config/heartbeat", {}),
        ("PUT", "/api/v1/queue-patterns/identifiers", {"patterns": {}}),
        ("PUT", "/api/v1/queue-patterns/priorities", {"patterns": []}),
        ("DELETE", "/api/v1/workers/w", {}),
        ("POST", "/api/v1/workers/forget-stale", {}),
        ("PUT", "/api/v1/queues/q/throttle", {"maximum": 1}),
        ("PUT", "/api/v1/queues/q/settings", {"heartbeat": 5}),
    ]:
        reply = operator.call(method, path, body)
        assert reply.status_code == 403, (path, reply.text)
    assert dump(ui_redis) == before


def test_read_only_mode_refuses_every_change(make_ui: MakeUI, ui_client: Client) -> None:
    from reqless.ui import UISettings

    viewer = make_ui(settings=UISettings(read_only=True))
    jid = ui_client.queues["q"].put("K", {})
    reply = viewer.post(f"/api/v1/jobs/{jid}/track", {})
    assert reply.status_code == 403
    assert reply.json()["error"]["code"] == "read_only"


def test_config_set_and_unset(ui: UI, ui_client: Client) -> None:
    reply = ui.put("/api/v1/config/heartbeat", {"value": 30})
    assert reply.status_code == 200
    assert reply.json()["previous"] == "60" and ui_client("config.get", "heartbeat") == "30"
    assert ui.put("/api/v1/config/application", {"value": "Ops"}).status_code == 200
    assert ui.put("/api/v1/config/q-heartbeat", {"value": "45.5"}).status_code == 200
    assert ui.delete("/api/v1/config/heartbeat", {}).status_code == 200
    assert ui_client("config.get", "heartbeat") == "60"


@pytest.mark.parametrize(
    ("key", "value"),
    [("heartbeat", "soon"), ("grace-period", ""), ("application", "  "),
     ("jobs-history", True), ("max-worker-age", None), ("q-max-pop-retry", "x"),
     ("max-pop-retry", [1]), ("application", {"a": 1})],
)  # fmt: skip
def test_config_set_refuses_bad_values(ui: UI, ui_redis: Redis, key: str, value: object) -> None:
    before = dump(ui_redis)
    reply = ui.put(f"/api/v1/config/{key}", {"value": value})
    assert reply.status_code == 400
    assert "value" in reply.json()["error"]["message"]
    assert dump(ui_redis) == before


def test_identifier_patterns_save_and_reset(ui: UI, ui_client: Client) -> None:
    patterns = {"mail": ["mail-*", "!mail-slow"], "all": ["*"]}
    reply = ui.put("/api/v1/queue-patterns/identifiers", {"patterns": patterns})
    assert reply.status_code == 200, reply.text
    stored = reply.json()["identifiers"]
    assert stored["mail"] == ["mail-*", "!mail-slow"] and stored["default"] == ["*"]
    reply = ui.put("/api/v1/queue-patterns/identifiers", {"patterns": {}})
    assert reply.json()["identifiers"] == {"default": ["*"]}


def test_identifier_patterns_are_validated_and_nothing_is_written(
    ui: UI, ui_client: Client, ui_redis: Redis
) -> None:
    ui.put("/api/v1/queue-patterns/identifiers", {"patterns": {"a": ["x"]}})
    before = dump(ui_redis)
    for patterns in [{"": ["x"]}, {"a": []}, {"a": [""]}, {"a": "x"}, {"a": [1]},
                     {"a": ["x", "x"]}, {"a ": ["x"], "a": ["y"]}, []]:  # fmt: skip
        reply = ui.put("/api/v1/queue-patterns/identifiers", {"patterns": patterns})
        assert reply.status_code == 400, patterns
    raw = '{"patterns": {"a": ["x"], "a": ["y"]}}'
    reply = ui.http.request(
        "PUT",
        "/api/v1/queue-patterns/identifiers",
        content=raw,
        headers={
            "Origin": "http://127.0.0.1",
            "X-CSRF-Token": ui.csrf_token(),
            "Content-Type": "application/json",
        },
    )
    assert reply.status_code == 400 and "duplicate" in reply.json()["error"]["message"]
    assert dump(ui_redis) == before


def test_priority_patterns_save_keep_a_default(ui: UI, ui_redis: Redis) -> None:
    body = {"patterns": [{"pattern": ["urgent-*"], "fair": True}, {"pattern": ["bulk"]}]}
    reply = ui.put("/api/v1/queue-patterns/priorities", body)
    assert reply.status_code == 200, reply.text
    assert reply.json()["priorities"] == [
        {"pattern": ["urgent-*"], "fair": True},
        {"pattern": ["bulk"], "fair": False},
        {"pattern": ["default"], "fair": False},
    ]
    before = dump(ui_redis)
    bad: list[Any] = [
        [{"pattern": []}], [{"pattern": ["a"], "fair": "yes"}],
        [{"pattern": ["a"]}, {"pattern": ["a"]}], [{"patterns": ["a"]}], {},
    ]  # fmt: skip
    for patterns in bad:
        reply = ui.put("/api/v1/queue-patterns/priorities", {"patterns": patterns})
        assert reply.status_code == 400, patterns
    assert dump(ui_redis) == before
    reply = ui.put("/api/v1/queue-patterns/priorities", {"patterns": []})
    assert reply.json()["priorities"] == [{"pattern": ["default"], "fair": False}]


def test_forget_worker_and_forget_stale(ui: UI, ui_client: Client, ui_redis: Redis) -> None:
    ui_client.queues["q"].put("K", {})
    url = _url(ui_redis)
    for name in ("holder", "idle-old", "idle-new"):
        worker = Client(url, hostname=name, retry_window=0)
        worker.queues["q"].pop()
        worker.database.close()
    # Two of them were last seen an hour ago (stale); `holder` still holds its job.
    an_hour_ago = time.time() - 3600
    ui_redis.zadd("ql:workers", {"holder": an_hour_ago, "idle-old": an_hour_ago})
    stale = ui.post("/api/v1/workers/forget-stale", {})
    assert stale.status_code == 200, stale.text
    assert stale.json()["forgotten"] == ["idle-old"]
    assert stale.json()["stale_holding_jobs"] == 1
    assert set(ui_redis.zrange("ql:workers", 0, -1)) == {"holder", "idle-new"}
    assert ui.delete("/api/v1/workers/holder", {}).json()["held_jobs"] == 1
    assert ui.delete("/api/v1/workers/holder", {}).status_code == 404


def _url(redis: Redis) -> str:
    kwargs = redis.connection_pool.connection_kwargs
    return f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs.get('db', 0)}"
