"""Recurring-template actions (A-R1..A-R4)."""

from __future__ import annotations

import json
from typing import Any

from redis import Redis

from reqless.client import Client
from reqless.ui import Role
from tests.ui.conftest import UI, MakeUI
from tests.ui.test_actions_support import as_role, dump


def _template(client: Client, jid: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(client("recurringJob.get", jid))
    return found


def test_update_sends_every_field(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues["q"].recur("K", {"a": 1}, interval=60)
    body = {
        "priority": 4, "retries": 2, "interval_s": 30, "backlog": 5,
        "klass": "Other", "data": {"b": 2}, "throttles": ["t1"],
    }  # fmt: skip
    reply = ui.patch(f"/api/v1/recurring/{jid}", body)
    assert reply.status_code == 200, reply.text
    after = _template(ui_client, jid)
    assert after["priority"] == 4 and after["retries"] == 2 and after["interval"] == 30
    assert after["backlog"] == 5 and after["klass"] == "Other"
    assert json.loads(after["data"]) == {"b": 2} and after["throttles"] == ["t1"]


def test_operators_may_change_only_the_priority(
    make_ui: MakeUI, ui_client: Client, ui_redis: Redis
) -> None:
    operator = make_ui(authorize=as_role(Role.OPERATOR))
    jid = ui_client.queues["q"].recur("K", {}, interval=60)
    assert operator.patch(f"/api/v1/recurring/{jid}", {"priority": 3}).status_code == 200
    before = dump(ui_redis)
    reply = operator.patch(f"/api/v1/recurring/{jid}", {"priority": 1, "interval_s": 5})
    assert reply.status_code == 403
    assert dump(ui_redis) == before


def test_update_validates_everything_first(ui: UI, ui_client: Client, ui_redis: Redis) -> None:
    jid = ui_client.queues["q"].recur("K", {}, interval=60)
    before = dump(ui_redis)
    bad: list[dict[str, Any]] = [
        {}, {"interval_s": 0}, {"interval_s": -1}, {"priority": 1, "retries": -1},
        {"klass": ""}, {"throttles": [1]}, {"queue": "x"}, {"priority": 2**31},
    ]  # fmt: skip
    for body in bad:
        reply = ui.patch(f"/api/v1/recurring/{jid}", body)
        assert reply.status_code == 400, body
    assert dump(ui_redis) == before
    assert ui.patch("/api/v1/recurring/nope", {"priority": 1}).status_code == 404


def test_move_tags_and_delete(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues["q"].recur("K", {}, interval=60)
    assert ui.post(f"/api/v1/recurring/{jid}/move", {"queue": "r"}).status_code == 200
    assert _template(ui_client, jid)["queue"] == "r"
    reply = ui.post(f"/api/v1/recurring/{jid}/tags", {"tags": ["x", "y"]})
    assert reply.json()["tags"] == ["x", "y"]
    reply = ui.delete(f"/api/v1/recurring/{jid}/tags/x", {})
    assert reply.json()["tags"] == ["y"]
    assert ui.delete(f"/api/v1/recurring/{jid}", {}).status_code == 200
    assert ui_client("recurringJob.get", jid) is None
    assert ui.delete(f"/api/v1/recurring/{jid}", {}).status_code == 404
