"""Single-job actions (docs/ui.md, Actions): semantics, state checks at execution time, bounds."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.ui import Role
from tests.ui.conftest import UI, MakeUI
from tests.ui.test_actions_support import as_role, dump


def _job(client: Client, jid: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(client("job.get", jid))
    return found


def test_retry_requeues_a_failed_job_with_its_own_fields_and_no_dependencies(
    ui: UI, ui_client: Client
) -> None:
    q = ui_client.queues["q"]
    jid = q.put("K", {"x": 1}, priority=7, tags=["t1"], retries=3, throttles=["th"])
    dependent = q.put("K", {}, depends=[jid])
    job = q.pop()
    assert job is not None and job.jid == jid
    job.fail("grp", "bad")

    reply = ui.post(f"/api/v1/jobs/{jid}/retry", {})
    assert reply.status_code == 200, reply.text
    assert reply.json()["state"] == "waiting"
    after = _job(ui_client, jid)
    assert after["state"] == "waiting" and after["queue"] == "q"
    assert after["data"] == '{"x": 1}' or json.loads(after["data"]) == {"x": 1}
    assert after["priority"] == 7 and after["tags"] == ["t1"] and after["retries"] == 3
    assert "th" in after["throttles"]
    # The dependent is not made a dependency of the retried job.
    assert after["dependencies"] == {}
    assert after["dependents"] == [dependent]
    assert json.loads(ui_client("jobs.failedByGroup", "grp"))["total"] == 0


def test_retry_of_a_job_that_is_no_longer_failed_is_a_conflict(
    ui: UI, ui_client: Client, ui_redis: Redis
) -> None:
    jid = ui_client.queues["q"].put("K", {})
    before = dump(ui_redis)
    reply = ui.post(f"/api/v1/jobs/{jid}/retry", {})
    assert reply.status_code == 409
    error = reply.json()["error"]
    assert error["code"] == "conflict" and error["details"]["state"] == "waiting"
    assert dump(ui_redis) == before


def test_retry_into_another_queue_after_a_delay(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues["q"].put("K", {})
    job = ui_client.queues["q"].pop()
    assert job is not None
    job.fail("g", "m")
    reply = ui.post(f"/api/v1/jobs/{jid}/retry", {"queue": "other", "delay_s": 60})
    assert reply.status_code == 200
    after = _job(ui_client, jid)
    assert after["queue"] == "other" and after["state"] == "scheduled"


def test_move_a_running_job_takes_it_from_its_worker(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues["q"].put("K", {})
    assert ui_client.queues["q"].pop() is not None
    reply = ui.post(f"/api/v1/jobs/{jid}/move", {"queue": "elsewhere"})
    assert reply.status_code == 200, reply.text
    after = _job(ui_client, jid)
    assert after["queue"] == "elsewhere" and after["state"] == "waiting"
    assert after["worker"] == ""


def test_move_needs_a_queue(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues["q"].put("K", {})
    reply = ui.post(f"/api/v1/jobs/{jid}/move", {})
    assert reply.status_code == 400
    assert "queue" in reply.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [{"queue": "x", "delay_s": -1}, {"queue": "x", "delay_s": 11 * 366 * 86400},
     {"queue": "x", "delay_s": "5"}, {"queue": ""}, {"queue": 5}, {"queue": "x", "oops": 1}],
)  # fmt: skip
def test_move_rejects_bad_bodies_and_changes_nothing(
    ui: UI, ui_client: Client, ui_redis: Redis, body: dict[str, Any]
) -> None:
    jid = ui_client.queues["q"].put("K", {})
    before = dump(ui_redis)
    reply = ui.post(f"/api/v1/jobs/{jid}/move", body)
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "invalid_argument"
    assert dump(ui_redis) == before


@pytest.mark.parametrize("body", [[], "x", 3, None])
def test_a_body_that_is_not_an_object_is_refused(ui: UI, ui_client: Client, body: object) -> None:
    jid = ui_client.queues["q"].put("K", {})
    reply = ui.http.request(
        "POST",
        f"/api/v1/jobs/{jid}/move",
        content=json.dumps(body),
        headers={
            "Origin": "http://127.0.0.1",
            "X-CSRF-Token": ui.csrf_token(),
            "Content-Type": "application/json",
        },
    )
    assert reply.status_code == 400
    assert "body" in reply.json()["error"]["message"]


def test_unknown_job_is_404(ui: UI, ui_client: Client) -> None:
    assert ui.post("/api/v1/jobs/nope/move", {"queue": "q"}).status_code == 404


def test_cancel_without_dependents(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues["q"].put("K", {})
    reply = ui.post(f"/api/v1/jobs/{jid}/cancel", {})
    assert reply.status_code == 200
    assert reply.json()["cancelled"] == [jid]
    assert ui_client("job.get", jid) is None


def test_cancel_of_a_job_with_dependents_lists_them_and_changes_nothing(
    ui: UI, ui_client: Client, ui_redis: Redis
) -> None:
    q = ui_client.queues["q"]
    a = q.put("K", {})
    b = q.put("K", {}, depends=[a])
    before = dump(ui_redis)
    reply = ui.post(f"/api/v1/jobs/{a}/cancel", {})
    assert reply.status_code == 409
    assert reply.json()["error"]["details"]["dependents"] == [b]
    assert dump(ui_redis) == before


def test_cancel_with_dependents_cancels_the_chain_in_one_core_call(
    ui: UI, ui_client: Client, ui_redis: Redis
) -> None:
    q = ui_client.queues["q"]
    a = q.put("K", {})
    b = q.put("K", {}, depends=[a])
    c = q.put("K", {}, depends=[b])
    d = q.put("K", {}, depends=[b])
    seen: list[list[str]] = []
    original = ui_client.__class__.__call__

    def spy(
        self: Client, command: str, *args: str | int | float, repeatable: bool = False,
        acknowledged: bool = False,
    ) -> Any:  # fmt: skip
        if command == "job.cancel":
            seen.append([str(arg) for arg in args])
        return original(self, command, *args, repeatable=repeatable, acknowledged=acknowledged)

    ui_client.__class__.__call__ = spy  # type: ignore[method-assign]
    try:
        reply = ui.post(f"/api/v1/jobs/{a}/cancel", {"with_dependents": True})
    finally:
        ui_client.__class__.__call__ = original  # type: ignore[method-assign]
    assert reply.status_code == 200, reply.text
    assert sorted(reply.json()["cancelled"]) == sorted([a, b, c, d])
    assert len(seen) == 1 and sorted(seen[0]) == sorted([a, b, c, d])
    assert not [key for key in ui_redis.keys("ql:j:*")]


def test_cancel_of_a_complete_job_is_a_conflict(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues["q"].put("K", {})
    job = ui_client.queues["q"].pop()
    assert job is not None
    job.complete()
    assert ui.post(f"/api/v1/jobs/{jid}/cancel", {}).status_code == 409


@pytest.mark.parametrize("value", [2**31, -(2**31) - 1, 1.5, "3", True, None])
def test_priority_must_be_a_32_bit_integer(
    ui: UI, ui_client: Client, ui_redis: Redis, value: object
) -> None:
    jid = ui_client.queues["q"].put("K", {})
    before = dump(ui_redis)
    reply = ui.put(f"/api/v1/jobs/{jid}/priority", {"priority": value})
    assert reply.status_code == 400
    assert "priority" in reply.json()["error"]["message"]
    assert dump(ui_redis) == before


def test_priority_moves_a_waiting_job_ahead(ui: UI, ui_client: Client) -> None:
    q = ui_client.queues["q"]
    first = q.put("K", {})
    second = q.put("K", {})
    reply = ui.put(f"/api/v1/jobs/{second}/priority", {"priority": 2**31 - 1})
    assert reply.status_code == 200 and reply.json()["priority"] == 2**31 - 1
    peeked = q.peek(0, 2)
    assert [job.jid for job in peeked] == [second, first]


def test_tags_add_and_remove(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues["q"].put("K", {})
    reply = ui.post(f"/api/v1/jobs/{jid}/tags", {"tags": ["a", "b/c"]})
    assert reply.status_code == 200 and reply.json()["tags"] == ["a", "b/c"]
    reply = ui.delete(f"/api/v1/jobs/{jid}/tags/b%2Fc", {})
    assert reply.status_code == 200 and reply.json()["tags"] == ["a"]
    assert ui.post(f"/api/v1/jobs/{jid}/tags", {"tags": []}).status_code == 400
    assert ui.post(f"/api/v1/jobs/{jid}/tags", {"tags": [""]}).status_code == 400


def test_track_and_untrack(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues["q"].put("K", {})
    assert ui.post(f"/api/v1/jobs/{jid}/track", {}).status_code == 200
    assert _job(ui_client, jid)["tracked"] is True
    assert ui.delete(f"/api/v1/jobs/{jid}/track", {}).status_code == 200
    assert _job(ui_client, jid)["tracked"] is False
    assert ui.delete(f"/api/v1/jobs/{jid}/track", {}).status_code == 409


def test_untrack_a_tracked_job_that_expired(ui: UI, ui_client: Client, ui_redis: Redis) -> None:
    jid = ui_client.queues["q"].put("K", {})
    ui_client.track(jid)
    ui_client("job.cancel", jid)
    assert ui.delete(f"/api/v1/jobs/{jid}/track", {}).status_code == 200
    assert ui_redis.zcard("ql:tracked") == 0


def test_timeout_only_for_running_jobs(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues["q"].put("K", {})
    assert ui.post(f"/api/v1/jobs/{jid}/timeout", {}).status_code == 409
    assert ui_client.queues["q"].pop() is not None
    reply = ui.post(f"/api/v1/jobs/{jid}/timeout", {})
    assert reply.status_code == 200
    after = _job(ui_client, jid)
    assert after["state"] == "stalled" and after["remaining"] == after["retries"]


def test_requeue_with_data_checks_the_payload_it_replaces(
    ui: UI, ui_client: Client, ui_redis: Redis
) -> None:
    jid = ui_client.queues["q"].put("K", {"old": True})
    stored = _job(ui_client, jid)["data"]
    sha = hashlib.sha256(stored.encode()).hexdigest()
    before = dump(ui_redis)
    stale = ui.post(
        f"/api/v1/jobs/{jid}/requeue-with-data",
        {"data": {"new": 1}, "expected_data_sha256": "0" * 64},
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["details"]["data_sha256"] == sha
    assert dump(ui_redis) == before
    reply = ui.post(
        f"/api/v1/jobs/{jid}/requeue-with-data",
        {"data": {"new": 1}, "queue": "q2", "expected_data_sha256": sha},
    )
    assert reply.status_code == 200, reply.text
    after = _job(ui_client, jid)
    assert json.loads(after["data"]) == {"new": 1} and after["queue"] == "q2"


def test_requeue_with_data_refuses_running_jobs(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues["q"].put("K", {})
    assert ui_client.queues["q"].pop() is not None
    sha = hashlib.sha256(_job(ui_client, jid)["data"].encode()).hexdigest()
    reply = ui.post(
        f"/api/v1/jobs/{jid}/requeue-with-data", {"data": {}, "expected_data_sha256": sha}
    )
    assert reply.status_code == 409


def test_dependencies_remove_one_add_and_remove_all(ui: UI, ui_client: Client) -> None:
    q = ui_client.queues["q"]
    a, b, c = q.put("K", {}), q.put("K", {}), q.put("K", {})
    jid = q.put("K", {}, depends=[a, b])
    reply = ui.delete(f"/api/v1/jobs/{jid}/dependencies/{a}", {})
    assert reply.status_code == 200 and reply.json()["dependencies"] == [b]
    assert ui.delete(f"/api/v1/jobs/{jid}/dependencies/nope", {}).status_code == 404
    reply = ui.post(f"/api/v1/jobs/{jid}/dependencies", {"jids": [c]})
    assert reply.status_code == 200 and sorted(reply.json()["dependencies"]) == sorted([b, c])
    reply = ui.delete(f"/api/v1/jobs/{jid}/dependencies", {})
    assert reply.status_code == 200 and reply.json()["state"] == "waiting"
    assert ui.post(f"/api/v1/jobs/{jid}/dependencies", {"jids": [c]}).status_code == 409


def test_viewers_get_403_and_change_nothing(
    make_ui: MakeUI, ui_client: Client, ui_redis: Redis
) -> None:
    viewer = make_ui(authorize=as_role(Role.VIEWER))
    jid = ui_client.queues["q"].put("K", {})
    before = dump(ui_redis)
    for method, path, body in [
        ("POST", f"/api/v1/jobs/{jid}/move", {"queue": "x"}),
        ("POST", f"/api/v1/jobs/{jid}/cancel", {}),
        ("PUT", f"/api/v1/jobs/{jid}/priority", {"priority": 1}),
        ("POST", f"/api/v1/jobs/{jid}/track", {}),
        ("POST", "/api/v1/jobs/bulk", {"action": "track", "jids": [jid]}),
    ]:
        reply = viewer.call(method, path, body)
        assert reply.status_code == 403, (path, reply.text)
        assert reply.json()["error"]["code"] == "forbidden"
    assert dump(ui_redis) == before


def test_operators_cannot_requeue_with_data(
    make_ui: MakeUI, ui_client: Client, ui_redis: Redis
) -> None:
    operator = make_ui(authorize=as_role(Role.OPERATOR))
    jid = ui_client.queues["q"].put("K", {})
    sha = hashlib.sha256(_job(ui_client, jid)["data"].encode()).hexdigest()
    before = dump(ui_redis)
    reply = operator.post(
        f"/api/v1/jobs/{jid}/requeue-with-data", {"data": {}, "expected_data_sha256": sha}
    )
    assert reply.status_code == 403
    assert dump(ui_redis) == before
    assert operator.post(f"/api/v1/jobs/{jid}/track", {}).status_code == 200


def test_jids_with_slashes_in_their_path(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues["q"].put("K", {}, jid="a/b%c")
    reply = ui.post("/api/v1/jobs/a%2Fb%25c/track", {})
    assert reply.status_code == 200, reply.text
    assert _job(ui_client, jid)["tracked"] is True


def test_actions_follow_the_instance_prefix(make_ui: MakeUI, ui_client: Client) -> None:
    kwargs = ui_client.database.connection_pool.connection_kwargs
    other = Client(f"redis://{kwargs['host']}:{kwargs['port']}/1", hostname="w", retry_window=0)
    try:
        ui = make_ui(clients={"main": ui_client, "other": other})
        jid = other.queues["q"].put("K", {})
        assert ui.post(f"/i/main/api/v1/jobs/{jid}/track", {}).status_code == 404
        assert ui.post(f"/i/other/api/v1/jobs/{jid}/track", {}).status_code == 200
        assert _job(other, jid)["tracked"] is True
    finally:
        other.database.flushdb()
        other.database.close()
