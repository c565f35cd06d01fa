"""Overview warnings (docs/ui.md, Reading the pages): grouped failure growth, queues no worker
serves, and
the not-draining threshold from the command line."""

from __future__ import annotations

from typing import Any

import pytest

from reqless.cli.ui_command import parse_ui_args
from reqless.client import Client
from reqless.ui import UISettings
from tests.ui.conftest import MakeUI


def _warnings(body: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [w for w in body["warnings"] if w["kind"] == kind]


def _fail(client: Client, queue: str, group: str) -> None:
    client.queues[queue].put("app.Job", {})
    job = client.queues[queue].pop()
    assert job is not None
    job.fail(group, "boom")


def test_growing_failure_groups_are_one_line(make_ui: MakeUI, ui_client: Client) -> None:
    for group in ("a-ValueError", "b-KeyError", "c-OSError"):
        _fail(ui_client, group[0], group)
    ui = make_ui()
    body = ui.get("/api/v1/summary").json()
    (grew,) = _warnings(body, "group_grew")
    assert grew["count"] == 3
    assert grew["targets"] == ["a-ValueError", "b-KeyError", "c-OSError"]
    assert grew["message"] == "3 failure groups grew in the last 10 minutes"
    assert grew["path"] == "/failed?sort=newest"
    html = ui.get("/").text
    assert html.count("grew in the last 10 minutes") == 1
    assert 'href="/failed?sort=newest"' in html


def test_one_growing_group_links_to_it(make_ui: MakeUI, ui_client: Client) -> None:
    _fail(ui_client, "a", "a-ValueError")
    (grew,) = _warnings(make_ui().get("/api/v1/summary").json(), "group_grew")
    assert grew["message"] == "failure group a-ValueError grew in the last 10 minutes"
    assert grew["path"] == "/failed/a-ValueError" and grew["count"] == 1


def test_queue_with_waiting_jobs_and_no_worker(make_ui: MakeUI, ui_client: Client) -> None:
    ui_client.queues["idle"].put("app.Job", {})
    # A job running: some worker popped from `busy` within its heartbeat.
    ui_client.queues["busy"].put("app.Job", {})
    ui_client.queues["busy"].put("app.Job", {})
    assert ui_client.queues["busy"].pop() is not None
    # A worker blocked waiting on `watched`, about to be woken by the put.
    ui_client("queues.pop", "blocking-worker", 1, 30, "watched")
    ui_client.queues["watched"].put("app.Job", {})
    ui_client.queues["stopped"].put("app.Job", {})
    ui_client.queues["stopped"].pause()
    ui = make_ui(UISettings(worker_active_s=-1.0, backlog_threshold_s=-1.0))
    body = ui.get("/api/v1/summary").json()
    (unserved,) = _warnings(body, "no_worker")
    # Its backlog is not draining either, but one line says it, with the reason.
    assert [w["targets"] for w in _warnings(body, "not_draining")] == [["busy"], ["watched"]]
    assert unserved["targets"] == ["idle"]
    assert unserved["message"] == "no worker serves queue idle: 1 job(s) wait"
    assert unserved["path"] == "/queues/idle"
    assert "no worker serves queue idle" in ui.get("/").text


def test_fresh_jobs_are_not_yet_unserved(make_ui: MakeUI, ui_client: Client) -> None:
    ui_client.queues["idle"].put("app.Job", {})
    assert _warnings(make_ui().get("/api/v1/summary").json(), "no_worker") == []


def test_not_draining_threshold_option() -> None:
    assert parse_ui_args([], environ={}).settings.backlog_threshold_s == 300.0
    options = parse_ui_args(["--backlog-threshold", "90"], environ={})
    assert options.settings.backlog_threshold_s == 90.0


@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_bad_backlog_threshold_exits_2(capsys: pytest.CaptureFixture[str], value: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse_ui_args(["--backlog-threshold", value], environ={})
    assert stopped.value.code == 2
    assert "--backlog-threshold" in capsys.readouterr().err
