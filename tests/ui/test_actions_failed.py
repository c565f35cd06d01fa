"""Failure-group actions (A-FG2, A-FG3) and untrack-expired (A-TR1)."""

from __future__ import annotations

import json
import time
from typing import Any

from redis import Redis

from reqless.client import Client
from reqless.ui import Role, UISettings
from tests.ui.conftest import UI, MakeUI
from tests.ui.test_actions_support import as_role, dump, failed_jobs


def _group_total(client: Client, group: str) -> int:
    return int(json.loads(client("jobs.failedByGroup", group))["total"])


def _wait(ui: UI, op_id: str) -> dict[str, Any]:
    while True:
        view: dict[str, Any] = ui.get(f"/api/v1/operations/{op_id}").json()
        if view["finished_at"] is not None:
            return view
        time.sleep(0.05)


def test_unfail_some_into_a_chosen_queue_oldest_first(ui: UI, ui_client: Client) -> None:
    jids = failed_jobs(ui_client, "q", "g", 10)
    reply = ui.post("/api/v1/failed/g/unfail", {"queue": "fix", "count": 4, "expected_total": 10})
    assert reply.status_code == 200, reply.text
    assert reply.json()["ok"] == 4
    assert _group_total(ui_client, "g") == 6
    moved = [job.jid for job in ui_client.queues["fix"].peek(0, 10)]
    assert sorted(moved) == sorted(jids[:4])


def test_unfail_all_in_chunks_as_an_operation(ui: UI, ui_client: Client) -> None:
    failed_jobs(ui_client, "q", "g", 1100)
    reply = ui.post("/api/v1/failed/g/unfail", {"queue": "q", "expected_total": 1100})
    assert reply.status_code == 202
    seen = _wait(ui, reply.json()["operation_id"])
    assert seen["state"] == "done" and seen["ok"] == 1100
    assert _group_total(ui_client, "g") == 0


def test_unfail_validates(ui: UI, ui_client: Client, ui_redis: Redis) -> None:
    failed_jobs(ui_client, "q", "g", 2)
    before = dump(ui_redis)
    bad: list[dict[str, Any]] = [
        {"expected_total": 2}, {"queue": "q"}, {"queue": "q", "count": 0, "expected_total": 2},
        {"queue": "", "expected_total": 2},
    ]  # fmt: skip
    for body in bad:
        assert ui.post("/api/v1/failed/g/unfail", body).status_code == 400, body
    assert (
        ui.post("/api/v1/failed/g/unfail", {"queue": "q", "expected_total": 50}).status_code == 409
    )
    assert dump(ui_redis) == before


def test_cancel_all_skips_jobs_with_dependents_outside_the_group(ui: UI, ui_client: Client) -> None:
    q = ui_client.queues["q"]
    parent = q.put("K", {})
    child = q.put("K", {}, depends=[parent])
    popped = q.pop()
    assert popped is not None and popped.jid == parent
    popped.fail("g", "m")
    plain = failed_jobs(ui_client, "q", "g", 3)
    reply = ui.post("/api/v1/failed/g/cancel", {"expected_total": 4})
    assert reply.status_code == 200, reply.text
    result = reply.json()
    assert result["ok"] == 3
    assert [item["jid"] for item in result["skipped"]] == [parent]
    assert child in result["skipped"][0]["reason"]
    assert all(ui_client("job.get", jid) is None for jid in plain)
    reply = ui.post("/api/v1/failed/g/cancel", {"expected_total": 1, "with_dependents": True})
    assert reply.json()["ok"] == 1 and reply.json()["dependents_cancelled"] == 1
    assert ui_client("job.get", child) is None and _group_total(ui_client, "g") == 0


def test_cancel_all_over_the_operator_limit_needs_an_admin(
    make_ui: MakeUI, ui_client: Client, ui_redis: Redis
) -> None:
    settings = UISettings(operator_bulk_limit=2)
    operator = make_ui(settings=settings, authorize=as_role(Role.OPERATOR))
    admin = make_ui(settings=settings, authorize=as_role(Role.ADMIN))
    failed_jobs(ui_client, "q", "g", 3)
    before = dump(ui_redis)
    assert operator.post("/api/v1/failed/g/cancel", {"expected_total": 3}).status_code == 403
    assert dump(ui_redis) == before
    reply = admin.post("/api/v1/failed/g/cancel", {"expected_total": 3})
    assert reply.status_code == 200 and reply.json()["ok"] == 3


def test_untrack_expired(ui: UI, ui_client: Client, ui_redis: Redis) -> None:
    q = ui_client.queues["q"]
    jids = [q.put("K", {}) for _ in range(3)]
    for jid in jids:
        ui_client.track(jid)
    ui_client("job.cancel", jids[0], jids[1])
    reply = ui.post("/api/v1/tracked/untrack-expired", {})
    assert reply.status_code == 200 and reply.json()["ok"] == 2
    assert ui_redis.zrange("ql:tracked", 0, -1) == [jids[2]]
