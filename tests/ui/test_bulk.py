"""Bulk job actions (docs/ui.md, Actions): explicit jids, selectors, the expected-count guard,
limits, per-jid outcomes and cascade cancels."""

from __future__ import annotations

import json
from typing import Any

from redis import Redis

from reqless.client import Client
from reqless.ui import Role, UISettings
from tests.ui.conftest import UI, MakeUI
from tests.ui.test_actions_support import as_role, dump, failed_jobs


def _bulk(ui: UI, body: dict[str, Any]) -> dict[str, Any]:
    reply = ui.post("/api/v1/jobs/bulk", body)
    assert reply.status_code == 200, reply.text
    result: dict[str, Any] = reply.json()
    return result


def test_bulk_priority_on_explicit_jids_reports_each_outcome(ui: UI, ui_client: Client) -> None:
    q = ui_client.queues["q"]
    jids = [q.put("K", {}) for _ in range(3)]
    result = _bulk(
        ui, {"action": "priority", "params": {"priority": 9}, "jids": [*jids, "missing"]}
    )
    assert result["processed"] == 4 and result["ok"] == 3
    assert result["skipped"] == [{"jid": "missing", "reason": "does not exist"}]
    assert result["errors"] == [] and result["atomic"] is False
    assert all(json.loads(ui_client("job.get", jid))["priority"] == 9 for jid in jids)


def test_bulk_retry_skips_jobs_that_are_no_longer_failed(ui: UI, ui_client: Client) -> None:
    failed = failed_jobs(ui_client, "q", "g", 3)
    waiting = ui_client.queues["q"].put("K", {})
    result = _bulk(ui, {"action": "retry", "jids": [*failed, waiting]})
    assert result["ok"] == 3
    assert result["skipped"][0]["jid"] == waiting
    assert "not failed" in result["skipped"][0]["reason"]
    assert json.loads(ui_client("jobs.failedByGroup", "g"))["total"] == 0


def test_bulk_with_a_group_selector_and_expected_total(ui: UI, ui_client: Client) -> None:
    failed_jobs(ui_client, "q", "g", 30)
    reply = ui.post(
        "/api/v1/jobs/bulk", {"action": "retry", "selector": {"group": "g"}, "expected_total": 5}
    )
    assert reply.status_code == 409
    assert reply.json()["error"]["details"]["current_total"] == 30
    missing = ui.post("/api/v1/jobs/bulk", {"action": "retry", "selector": {"group": "g"}})
    assert missing.status_code == 400
    # Off by fewer than 10 jobs is close enough.
    result = _bulk(ui, {"action": "retry", "selector": {"group": "g"}, "expected_total": 25})
    assert result["ok"] == 30


def test_bulk_queue_state_and_tag_selectors(ui: UI, ui_client: Client) -> None:
    q = ui_client.queues["q"]
    tagged = [q.put("K", {}, tags=["blue"]) for _ in range(4)]
    q.put("K", {})
    result = _bulk(
        ui,
        {"action": "track", "selector": {"queue": "q", "state": "waiting"}, "expected_total": 5},
    )
    assert result["ok"] == 5
    result = _bulk(ui, {"action": "untrack", "selector": {"tag": "blue"}, "expected_total": 4})
    assert result["ok"] == 4
    tracked = json.loads(ui_client("jobs.tracked"))["jobs"]
    assert len(tracked) == 1 and tracked[0]["jid"] not in tagged


def test_bulk_tracked_state_selector(ui: UI, ui_client: Client) -> None:
    q = ui_client.queues["q"]
    jids = [q.put("K", {}) for _ in range(3)]
    for jid in jids:
        ui_client.track(jid)
    ui_client("job.cancel", jids[0])
    result = _bulk(
        ui,
        {"action": "untrack", "selector": {"tracked_state": "expired"}, "expected_total": 1},
    )
    assert result["ok"] == 1


def test_bulk_over_the_limit_is_413_and_changes_nothing(
    make_ui: MakeUI, ui_client: Client, ui_redis: Redis
) -> None:
    small = make_ui(settings=UISettings(operator_bulk_limit=3), authorize=as_role(Role.OPERATOR))
    q = ui_client.queues["q"]
    jids = [q.put("K", {}) for _ in range(5)]
    before = dump(ui_redis)
    reply = small.post("/api/v1/jobs/bulk", {"action": "track", "jids": jids})
    assert reply.status_code == 413
    reply = small.post(
        "/api/v1/jobs/bulk",
        {"action": "track", "selector": {"queue": "q", "state": "waiting"}, "expected_total": 5},
    )
    assert reply.status_code == 413
    assert dump(ui_redis) == before


def test_bulk_rejects_bad_requests(ui: UI, ui_client: Client, ui_redis: Redis) -> None:
    jid = ui_client.queues["q"].put("K", {})
    before = dump(ui_redis)
    for body in [
        {"action": "explode", "jids": [jid]},
        {"action": "track"},
        {"action": "track", "jids": [jid], "selector": {"group": "g"}, "expected_total": 0},
        {"action": "track", "jids": [""]},
        {"action": "track", "jids": ["x"] * 501},
        {"action": "priority", "params": {"priority": 2**40}, "jids": [jid]},
        {"action": "move", "params": {}, "jids": [jid]},
        {"action": "track", "selector": {"queue": "q", "state": "bogus"}, "expected_total": 1},
        {"action": "track", "selector": {"colour": "red"}, "expected_total": 1},
    ]:
        reply = ui.post("/api/v1/jobs/bulk", body)
        assert reply.status_code in (400, 413), (body, reply.text)
    assert dump(ui_redis) == before


def test_bulk_cancel_sends_each_chain_in_one_call(ui: UI, ui_client: Client) -> None:
    q = ui_client.queues["q"]
    a = q.put("K", {})
    b = q.put("K", {}, depends=[a])
    c = q.put("K", {}, depends=[b])
    lone = q.put("K", {})
    outside = q.put("K", {}, depends=[lone])
    result = _bulk(ui, {"action": "cancel", "jids": [c, a, b, lone]})
    assert result["ok"] == 3
    assert result["skipped"][0]["jid"] == lone
    assert outside in result["skipped"][0]["reason"]
    assert [json.loads(ui_client("job.get", jid) or "null") for jid in (a, b, c)] == [None] * 3
    assert ui_client("job.get", lone) is not None

    cascade = _bulk(ui, {"action": "cancel", "params": {"with_dependents": True}, "jids": [lone]})
    assert cascade["ok"] == 1 and cascade["dependents_cancelled"] == 1
    assert ui_client("job.get", outside) is None


def test_bulk_timeout_and_move(ui: UI, ui_client: Client) -> None:
    q = ui_client.queues["q"]
    jids = [q.put("K", {}) for _ in range(3)]
    q.pop(2)
    result = _bulk(ui, {"action": "timeout", "jids": jids})
    assert result["ok"] == 2 and len(result["skipped"]) == 1
    result = _bulk(ui, {"action": "move", "params": {"queue": "z"}, "jids": jids})
    assert result["ok"] == 3
    assert ui_client.queues["z"].counts["waiting"] == 3


def test_bulk_tag_and_untag(ui: UI, ui_client: Client) -> None:
    q = ui_client.queues["q"]
    jids = [q.put("K", {}) for _ in range(2)]
    assert _bulk(ui, {"action": "tag", "params": {"tags": ["x"]}, "jids": jids})["ok"] == 2
    result = _bulk(ui, {"action": "untag", "params": {"tags": ["x"]}, "jids": [*jids, "gone"]})
    assert result["ok"] == 2 and result["skipped"][0]["jid"] == "gone"


def test_bulk_search_selector(ui: UI, ui_client: Client) -> None:
    q = ui_client.queues["q"]
    foos = [q.put("app.Foo", {}) for _ in range(3)]
    q.put("app.Bar", {})
    result = _bulk(
        ui,
        {"action": "track", "selector": {"search": "queue:q class:Foo"}, "expected_total": 3},
    )
    assert result["ok"] == 3
    tracked = {job["jid"] for job in json.loads(ui_client("jobs.tracked"))["jobs"]}
    assert tracked == set(foos)
