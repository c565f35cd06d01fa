"""Progress, results and batches in the UI (HTTP level): the job page shows a running
job's progress, a completed job's result, its batch and trace context; running-job
lists carry a compact bar; the Batches pages and API list batches and their jobs; the
actions close a batch (A-B2) and cancel the rest of it (A-B1), refusing bad requests
with nothing changed.

Jobs join batches, report progress and complete with results through raw core
calls, so these tests hold the UI alone, whatever the client's own methods offer.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.ui.live.relay import normalise
from reqless.ui.roles import Role
from reqless.ui.settings import UISettings
from tests.helpers import snapshot

from .conftest import UI


def _put(client: Client, jid: str, *options: Any, queue: str = "q") -> None:
    client("queue.put", "w", queue, jid, "app.Job", "{}", 0, *options)


def _pop(client: Client, worker: str = "w1", queue: str = "q") -> None:
    client("queue.pop", queue, worker, 1)


def _text(html: str) -> str:
    """The page's text, tags dropped and spaces squeezed, to match what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- progress ------------------------------------------------------------------------


def test_a_running_jobs_progress_shows_on_its_page_and_in_the_api(
    ui: UI, ui_client: Client
) -> None:
    _put(ui_client, "j1")
    _pop(ui_client)
    ui_client("job.progress", "j1", "w1", 0.42, "rows 420 of 1000")
    got = ui.get("/api/v1/jobs/j1").json()
    assert got["progress"]["fraction"] == 0.42
    assert got["progress"]["message"] == "rows 420 of 1000"
    assert isinstance(got["progress"]["at"], float)
    html = ui.get("/jobs/j1").text
    assert 'data-progress="j1"' in html
    assert '<progress max="1" value="0.42"' in html
    text = _text(html)
    assert "42 %" in text and "rows 420 of 1000" in text and "updated" in text


def test_a_running_job_without_progress_has_a_hidden_bar_the_stream_can_fill(
    ui: UI, ui_client: Client
) -> None:
    _put(ui_client, "j1")
    _pop(ui_client)
    assert ui.get("/api/v1/jobs/j1").json()["progress"] is None
    html = ui.get("/jobs/j1").text
    assert re.search(r'data-progress="j1" hidden', html)


def test_running_lists_show_a_compact_bar(ui: UI, ui_client: Client) -> None:
    _put(ui_client, "j1")
    _put(ui_client, "j2")
    _pop(ui_client)
    _pop(ui_client)
    ui_client("job.progress", "j1", "w1", 0.75, "nearly")
    for path in ("/queues/q/running", "/workers/w1"):
        html = ui.get(path).text
        assert re.search(r'class="progress-holder compact" data-progress="j1">', html), path
        assert '<progress max="1" value="0.75"' in html, path
        assert re.search(r'data-progress="j2" hidden', html), path


def test_a_progress_message_is_redacted_like_other_messages(
    make_ui: Any, ui_client: Client
) -> None:
    ui = make_ui(UISettings(redact_keys=("password",)))
    _put(ui_client, "j1")
    _pop(ui_client)
    ui_client("job.progress", "j1", "w1", 0.5, "login password=hunter2")
    got = ui.get("/api/v1/jobs/j1").json()["progress"]["message"]
    assert "hunter2" not in got
    assert "hunter2" not in ui.get("/jobs/j1").text


def test_the_relay_passes_a_progress_events_fraction() -> None:
    data = json.dumps({"jid": "j1", "event": "progress", "queue": "q", "worker": "w1",
                       "fraction": 0.25, "message": "a quarter"})  # fmt: skip
    event = normalise("ql:log", data, 5.0)
    assert event["kind"] == "progress"
    assert (event["jid"], event["queue"], event["worker"]) == ("j1", "q", "w1")
    assert float(event["fraction"]) == 0.25 and event["message"] == "a quarter"


# --- results, batch link, trace --------------------------------------------------------


def test_a_completed_jobs_result_shows_as_json(ui: UI, ui_client: Client) -> None:
    _put(ui_client, "j1")
    _pop(ui_client)
    ui_client("job.complete", "j1", "w1", "q", "{}", "result", '{"rows": 3, "ok": true}')
    got = ui.get("/api/v1/jobs/j1").json()
    assert got["has_result"] is True
    assert got["result"] == {"rows": 3, "ok": True}
    html = ui.get("/jobs/j1").text
    assert "<h2>Result</h2>" in html
    assert "result-more" not in html  # short: shown open
    assert "rows" in _text(html)


def test_a_long_result_starts_collapsed(ui: UI, ui_client: Client) -> None:
    _put(ui_client, "j1")
    _pop(ui_client)
    result = {f"key{i}": i for i in range(40)}
    ui_client("job.complete", "j1", "w1", "q", "{}", "result", json.dumps(result))
    html = ui.get("/jobs/j1").text
    assert '<details class="result-more">' in html
    assert "Show the result (42 lines" in _text(html)


def test_a_result_is_redacted_and_a_job_without_one_shows_none(
    make_ui: Any, ui_client: Client
) -> None:
    ui = make_ui(UISettings(redact_keys=("token",)))
    _put(ui_client, "j1")
    _put(ui_client, "j2")
    _pop(ui_client)
    ui_client("job.complete", "j1", "w1", "q", "{}", "result", '{"token": "s3cret"}')
    got = ui.get("/api/v1/jobs/j1").json()
    assert got["result_redacted_paths"] == ["token"]
    assert "s3cret" not in ui.get("/jobs/j1").text
    plain = ui.get("/api/v1/jobs/j2").json()
    assert (plain["has_result"], plain["result"], plain["trace"], plain["batch"]) == (
        False, None, None, None,
    )  # fmt: skip
    assert "<h2>Result</h2>" not in ui.get("/jobs/j2").text


def test_a_job_in_a_batch_links_to_it_and_shows_its_trace_context(
    ui: UI, ui_client: Client
) -> None:
    ui_client("batch.open", "nightly")
    carrier = '{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}'
    _put(ui_client, "j1", "batch", "nightly", "trace", carrier)
    got = ui.get("/api/v1/jobs/j1").json()
    assert (got["batch"], got["trace"]) == ("nightly", carrier)
    html = ui.get("/jobs/j1").text
    assert 'href="/batches/nightly"' in html
    assert "trace context" in html and "4bf92f3577b34da6a3ce929d0e0e4736" in html


# --- batches: list and page ------------------------------------------------------------


def _batch(client: Client, bid: str, jobs: int, **callbacks: dict[str, Any]) -> list[str]:
    args: list[Any] = []
    for name, callback in callbacks.items():
        args += [name, json.dumps(callback)]
    client("batch.open", bid, *args)
    jids = [f"{bid}-j{i}" for i in range(jobs)]
    for jid in jids:
        _put(client, jid, "batch", bid)
    return jids


def test_batches_are_listed_newest_first_with_counts_and_paged(
    ui: UI, ui_client: Client, ui_redis: Redis
) -> None:
    for index, bid in enumerate(("b-old", "b-mid", "b-new")):
        _batch(ui_client, bid, 2)
        # Each batch a second apart, so newest first is an order the core can tell.
        ui_redis.zadd(ui_client.keys.BATCHES, {bid: 1000 + index})
    ui_client("job.cancel", "b-new-j0")
    listed = ui.get("/api/v1/batches").json()
    assert [b["id"] for b in listed["items"]] == ["b-new", "b-mid", "b-old"]
    newest = listed["items"][0]
    assert (newest["state"], newest["total"], newest["canceled"], newest["pending"]) == (
        "open", 2, 1, 1,
    )  # fmt: skip
    assert listed["total"] is None and listed["has_more"] is False
    paged = ui.get("/api/v1/batches?offset=1&limit=1").json()
    assert [b["id"] for b in paged["items"]] == ["b-mid"] and paged["has_more"] is True
    html = ui.get("/batches").text
    assert html.index("b-new") < html.index("b-mid") < html.index("b-old")
    assert 'class="seg-canceled"' in html and 'class="seg-pending"' in html
    assert "1 canceled" in _text(html)
    assert 'href="/batches"' in html  # the nav entry
    second = ui.get("/batches?offset=1&limit=1").text
    assert "b-mid" in second and "b-new" not in second


def test_no_batches_reads_as_an_empty_list(ui: UI) -> None:
    assert ui.get("/api/v1/batches").json()["items"] == []
    assert "No batches." in ui.get("/batches").text


def test_a_batch_page_shows_counts_callbacks_and_its_jobs_with_states(
    ui: UI, ui_client: Client
) -> None:
    done = {"klass": "app.Report", "queue": "reports", "data": {"to": "ops"}}
    jids = _batch(ui_client, "b1", 3, on_complete=done)
    _pop(ui_client)
    ui_client("job.complete", jids[0], "w1", "q", "{}")
    got = ui.get("/api/v1/batches/b1").json()
    assert got["batch"]["complete"] == 1 and got["batch"]["pending"] == 2
    assert got["batch"]["on_complete"] == {**done, "priority": None}
    assert got["batch"]["on_success"] is None
    assert [(j["jid"], j["state"]) for j in got["jobs"]["items"]] == [
        (jids[0], "complete"), (jids[1], "waiting"), (jids[2], "waiting"),
    ]  # fmt: skip
    assert got["jobs"]["total"] == 3
    page = ui.get("/api/v1/batches/b1?offset=2&limit=1").json()["jobs"]
    assert [j["jid"] for j in page["items"]] == [jids[2]]
    html = ui.get("/batches/b1").text
    text = _text(html)
    assert "app.Report" in text and "reports" in text
    assert "1 complete" in text and "2 pending" in text
    assert 'data-action="batch-close"' in html and 'data-action="batch-cancel"' in html
    for jid in jids:
        assert f'href="/jobs/{jid}"' in html


def test_a_viewer_sees_a_batch_without_its_actions(make_ui: Any, ui_client: Client) -> None:
    viewer = make_ui(authorize=lambda request: Role.VIEWER)
    _batch(ui_client, "b1", 1)
    html = viewer.get("/batches/b1").text
    assert "batch-close" not in html and "batch-cancel" not in html
    assert viewer.post("/api/v1/batches/b1/close", {}).status_code == 403
    assert viewer.post("/api/v1/batches/b1/cancel", {}).status_code == 403


def test_an_unknown_batch_is_404_on_the_page_and_in_the_api(ui: UI) -> None:
    assert ui.get("/batches/nope").status_code == 404
    reply = ui.get("/api/v1/batches/nope")
    assert reply.status_code == 404 and reply.json()["error"]["code"] == "not_found"


# --- actions: A-B2 close, A-B1 cancel the rest -------------------------------------------


def test_closing_an_empty_batch_finishes_it_and_puts_its_callback(
    ui: UI, ui_client: Client
) -> None:
    _batch(ui_client, "b1", 0, on_complete={"klass": "app.Done", "queue": "cb", "data": {}})
    reply = ui.post("/api/v1/batches/b1/close", {})
    assert reply.status_code == 200, reply.text
    batch = reply.json()["batch"]
    assert batch["state"] == "finished" and batch["callback_jids"] == ["b1-complete"]
    assert json.loads(ui_client("job.get", "b1-complete"))["queue"] == "cb"
    html = ui.get("/batches/b1").text
    assert 'href="/jobs/b1-complete"' in html
    assert "batch-close" not in html


def test_cancel_the_rest_cancels_pending_jobs_and_is_audited(
    make_ui: Any, ui_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    operator = make_ui(authorize=lambda request: Role.OPERATOR)
    jids = _batch(ui_client, "b1", 3, on_complete={"klass": "app.Done", "queue": "cb", "data": {}})
    _pop(ui_client)
    ui_client("job.complete", jids[0], "w1", "q", "{}")
    assert operator.post("/api/v1/batches/b1/close", {}).json()["batch"]["state"] == "closed"
    with caplog.at_level("INFO", logger="reqless.ui.audit"):
        reply = operator.post("/api/v1/batches/b1/cancel", {})
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"id": "b1", "canceled": jids[1:], "count": 2}
    got = json.loads(ui_client("batch.get", "b1"))
    assert (got["state"], got["complete"], got["canceled"]) == ("finished", 1, 2)
    records = [r.getMessage() for r in caplog.records if "A-B1" in r.getMessage()]
    assert records, [r.getMessage() for r in caplog.records]


def test_a_batch_page_tells_canceled_jobs_from_expired_ones(
    ui: UI, ui_client: Client, ui_redis: Redis
) -> None:
    jids = _batch(ui_client, "b1", 3)
    ui_client("job.cancel", jids[0])
    # Another member's record is gone without a cancel (history trimmed, say).
    ui_redis.delete(f"ql:j:{jids[1]}")
    got = ui.get("/api/v1/batches/b1").json()["jobs"]["items"]
    assert [(j["jid"], j.get("kind"), j.get("state")) for j in got] == [
        (jids[0], "canceled", None), (jids[1], "expired", None), (jids[2], "job", "waiting"),
    ]  # fmt: skip
    text = _text(ui.get("/batches/b1").text)
    assert f"{jids[0]} copy — canceled the job was canceled, so deleted" in text
    assert f"{jids[1]} copy — expired the job no longer exists" in text


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/v1/batches/nope/cancel", {}, 404),
        ("/api/v1/batches/nope/close", {}, 404),
        ("/api/v1/batches/b1/cancel", {"force": True}, 400),
        ("/api/v1/batches/b1/close", {"now": 1}, 400),
    ],
)
def test_a_bad_batch_action_is_refused_and_changes_nothing(
    ui: UI, ui_client: Client, ui_redis: Redis, path: str, body: dict[str, Any], status: int
) -> None:
    _batch(ui_client, "b1", 2)
    before = snapshot(ui_redis)
    reply = ui.post(path, body)
    assert reply.status_code == status, reply.text
    assert snapshot(ui_redis) == before
