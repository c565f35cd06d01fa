"""Failure messages shown as their exception line, and the queue of a failure group."""

from __future__ import annotations

import traceback

from reqless.client import Client
from reqless.failure_text import exception_line
from tests.ui.conftest import UI


def _traceback(exc: BaseException) -> str:
    try:
        raise exc
    except BaseException:
        return traceback.format_exc()


def _chained() -> str:
    try:
        try:
            raise KeyError("missing")
        except KeyError as inner:
            raise RuntimeError("lookup failed") from inner
    except RuntimeError:
        return traceback.format_exc()


def _fail(client: Client, queue: str, group: str, message: str, count: int = 1) -> None:
    q = client.queues[queue]
    for _ in range(count):
        q.put("app.Job", {})
    for job in q.pop(count):
        job.fail(group, message)


def test_exception_line_of_real_tracebacks() -> None:
    assert exception_line(_traceback(ValueError("bad input"))) == "ValueError: bad input"
    assert exception_line(_chained()) == "RuntimeError: lookup failed"
    assert exception_line(_traceback(ValueError("first\nsecond"))) == "ValueError: first"
    assert exception_line("Traceback\n  ...\nValueError: x broke") == "ValueError: x broke"


def test_exception_line_of_plain_and_empty_messages() -> None:
    assert exception_line("timeout talking to db\n  at step 3") == "timeout talking to db"
    assert exception_line("\n\n  disk full  \n") == "disk full"
    assert exception_line("") == "" and exception_line(" \n ") == ""
    assert exception_line("Traceback (most recent call last):\n  File 'x'") == "File 'x'"


def test_failed_groups_show_the_exception_line_and_the_queue(ui: UI, ui_client: Client) -> None:
    _fail(ui_client, "emails", "emails-ValueError", _traceback(ValueError("bad address")), 3)
    _fail(ui_client, "a", "mixed", "plain", 1)
    _fail(ui_client, "b", "mixed", "plain", 1)
    body = ui.get("/api/v1/failed").json()
    by_group = {g["group"]: g for g in body["items"]}
    emails = by_group["emails-ValueError"]
    assert emails["newest"]["failure"]["message_line"] == "ValueError: bad address"
    assert emails["queue"] == "emails"
    # Newest and oldest failed in different queues: no single queue to name.
    assert by_group["mixed"]["queue"] is None
    assert by_group["mixed"]["queues"] == ["a", "b"]
    page = ui.get("/failed").text
    assert "ValueError: bad address" in page
    assert "Traceback (most recent call last)" not in page
    assert 'href="/queues/emails"' in page
    overview = ui.get("/").text
    assert "ValueError: bad address" in overview
    assert "Traceback (most recent call last)" not in overview


def test_group_by_message_clusters_python_failures_by_exception(ui: UI, ui_client: Client) -> None:
    _fail(ui_client, "q", "g", _traceback(ValueError("bad input")), 2)
    _fail(ui_client, "q", "g", _traceback(KeyError("user")), 3)
    body = ui.get("/api/v1/failed/g/clusters?limit=100").json()
    assert {c["message_line"]: c["count"] for c in body["clusters"]} == {
        "KeyError: 'user'": 3,
        "ValueError: bad input": 2,
    }
    rows = ui.get("/api/v1/failed/g/jobs").json()["items"]
    assert {row["failure"]["message_line"] for row in rows} == {
        "KeyError: 'user'",
        "ValueError: bad input",
    }
    clustered = ui.get("/failed/g?cluster=1").text
    assert "ValueError: bad input" in clustered
    assert "Traceback (most recent call last)" not in clustered
