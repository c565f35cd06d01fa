"""Long operations (docs/ui.md, Actions): 202 + operation_id, progress, stop, at most two at
once."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from reqless.client import Client
from reqless.ui.actions import operations
from reqless.ui.actions.tally import Tally
from reqless.ui.http import audit
from reqless.ui.state import UIState
from tests.ui.conftest import UI
from tests.ui.test_actions_support import failed_jobs


def _wait(ui: UI, op_id: str) -> dict[str, Any]:
    """Poll the operation until it ends (the per-test timeout bounds the loop)."""
    while True:
        reply = ui.get(f"/api/v1/operations/{op_id}")
        assert reply.status_code == 200, reply.text
        view: dict[str, Any] = reply.json()
        if view["finished_at"] is not None:
            return view
        time.sleep(0.05)


def _hold(release: threading.Event) -> None:
    release.wait()


def _state(ui: UI) -> UIState:
    state: UIState = ui.http.app.state.ui  # type: ignore[attr-defined]
    return state


def _actor(state: UIState) -> audit.Actor:
    return audit.Actor("tester", "admin", None, state.default_instance, state)


def test_retry_of_a_3000_job_failure_group_runs_as_an_operation(ui: UI, ui_client: Client) -> None:
    failed_jobs(ui_client, "q", "big", 3000)
    reply = ui.post("/api/v1/failed/big/retry", {"expected_total": 3000})
    assert reply.status_code == 202, reply.text
    op_id = reply.json()["operation_id"]
    seen = _wait(ui, op_id)
    assert seen["state"] == "done"
    assert seen["total"] == 3000 and seen["processed"] == 3000 and seen["ok"] == 3000
    assert seen["errors"] == [] and seen["skipped"] == []
    assert seen["started_at"] <= seen["finished_at"]
    assert json.loads(ui_client("jobs.failedByGroup", "big"))["total"] == 0
    assert ui_client.queues["q"].counts["waiting"] == 3000
    listed = ui.get("/api/v1/operations").json()["items"]
    assert [item["id"] for item in listed] == [op_id]


def test_group_retry_checks_the_expected_total(ui: UI, ui_client: Client) -> None:
    failed_jobs(ui_client, "q", "g", 40)
    reply = ui.post("/api/v1/failed/g/retry", {"expected_total": 20})
    assert reply.status_code == 409
    assert reply.json()["error"]["details"]["current_total"] == 40
    assert ui.post("/api/v1/failed/g/retry", {}).status_code == 400
    assert ui.post("/api/v1/failed/empty/retry", {"expected_total": 0}).status_code == 404


def test_a_large_bulk_action_runs_as_an_operation(ui: UI, ui_client: Client) -> None:
    q = ui_client.queues["q"]
    q.put_many({"klass": "K", "data": {}} for _ in range(1200))
    reply = ui.post(
        "/api/v1/jobs/bulk",
        {
            "action": "priority",
            "params": {"priority": 3},
            "selector": {"queue": "q", "state": "waiting"},
            "expected_total": 1200,
        },
    )
    assert reply.status_code == 202, reply.text
    seen = _wait(ui, reply.json()["operation_id"])
    assert seen["state"] == "done" and seen["ok"] == 1200


def test_at_most_two_operations_run_at_once(ui: UI, ui_client: Client) -> None:
    failed_jobs(ui_client, "q", "g", 2)
    state = _state(ui)
    release = threading.Event()
    held = [
        operations.start(state, _actor(state), "test.hold", [], {}, 1, lambda t: _hold(release))
        for _ in range(2)
    ]
    try:
        reply = ui.post("/api/v1/failed/g/retry", {"expected_total": 2})
        assert reply.status_code == 429
        assert reply.json()["error"]["code"] == "rate_limited"
    finally:
        release.set()
        for op in held:
            assert op.thread is not None
            op.thread.join()
    assert ui.post("/api/v1/failed/g/retry", {"expected_total": 2}).status_code == 202


def test_delete_stops_an_operation_after_its_chunk(ui: UI) -> None:
    state = _state(ui)
    started = threading.Event()

    def work(tally: Tally) -> None:
        started.set()
        while not tally.stopping:
            tally.succeeded()
            time.sleep(0.001)

    op = operations.start(state, _actor(state), "test.loop", [], {}, 10**9, work)
    started.wait()
    reply = ui.delete(f"/api/v1/operations/{op.id}", {})
    assert reply.status_code == 202
    assert op.thread is not None
    op.thread.join()
    assert ui.get(f"/api/v1/operations/{op.id}").json()["state"] == "stopped"


def test_unknown_operation_is_404(ui: UI) -> None:
    assert ui.get("/api/v1/operations/nope").status_code == 404
    assert ui.delete("/api/v1/operations/nope", {}).status_code == 404


def test_shutdown_stops_running_operations(ui: UI) -> None:
    state = _state(ui)

    def work(tally: Tally) -> None:
        while not tally.stopping:
            time.sleep(0.001)

    op = operations.start(state, _actor(state), "test.loop", [], {}, 1, work)
    operations.shutdown(state)
    assert op.state == "stopped" and op.finished_at is not None
    assert operations.list_operations(state)[0]["id"] == op.id
