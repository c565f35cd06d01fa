"""`reqless put`, `show`, `cancel`, `retry`, `move` and `priority` in a subprocess."""

from __future__ import annotations

import json

from reqless.client import Client
from tests.cli.process import Reqless


def _failed(client: Client, jid: str, queue: str = "q") -> None:
    client.queues[queue].put("app.Job", {}, jid=jid)
    job = client.queues[queue].pop()
    assert job is not None and job.jid == jid
    job.fail("app-Error", "it broke")


def test_put_prints_the_jid_and_puts_the_job(reqless: Reqless, client: Client) -> None:
    result = reqless(
        "put", "emails", "app.Send", '{"to": "ann"}', "--priority", "7", "-t", "a", "-t", "b",
        "--retries", "2", "--jid", "j1", "--throttle", "smtp",
    )  # fmt: skip
    assert (result.code, result.out.strip()) == (0, "j1"), result.err
    job = client.jobs.get_job("j1")
    assert (job.queue_name, job.klass_name, json.loads(job.data)) == (
        "emails",
        "app.Send",
        {"to": "ann"},
    )
    assert (job.priority, job.tags, job.original_retries) == (7, ["a", "b"], 2)
    assert "smtp" in job.throttles


def test_put_with_json_and_a_delay(reqless: Reqless, client: Client) -> None:
    result = reqless("put", "emails", "app.Send", "--delay", "60", "--json")
    assert result.code == 0, result.err
    jid = result.json()["jid"]
    assert client.jobs.get_job(jid).state == "scheduled"


def test_put_refuses_bad_input_and_puts_nothing(reqless: Reqless, client: Client) -> None:
    for args in (
        ("q", "app.Job", "{not json"),
        ("q", "app.Job", "--priority", "high"),
        ("q", "app.Job", "--delay", "-1"),
        ("q", "app.Job", "--priority", "nan"),
        ("q",),
    ):
        result = reqless("put", *args)
        assert result.code == 2, (args, result.err)
        assert "Error:" in result.err
    assert client.queues.counts == []


def test_show_a_job(reqless: Reqless, client: Client) -> None:
    client.queues["q"].put("app.Job", {"n": 1}, jid="j1", tags=["t1"])
    table = reqless("show", "j1")
    assert table.code == 0, table.err
    for text in ("j1", "app.Job", "waiting", "t1", '{"n": 1}', "history", "put"):
        assert text in table.out
    record = reqless("show", "j1", "--json").json()
    assert record["state"] == "waiting" and record["data"] == {"n": 1}
    assert record["history"][0]["what"] == "put"


def test_show_a_failed_job_shows_the_failure(reqless: Reqless, client: Client) -> None:
    _failed(client, "f1")
    result = reqless("show", "f1")
    assert result.code == 0
    assert "app-Error" in result.out and "it broke" in result.out


def test_show_an_unknown_jid_fails(reqless: Reqless) -> None:
    result = reqless("show", "nope")
    assert result.code == 1
    assert result.err.strip() == "Error: no such job: nope"
    assert result.out == ""


def test_cancel(reqless: Reqless, client: Client) -> None:
    client.queues["q"].put("app.Job", {}, jid="j1")
    result = reqless("cancel", "j1", "--json")
    assert result.code == 0
    assert result.json() == {"cancelled": ["j1"]}
    assert client.jobs["j1"] is None


def test_cancel_with_an_unknown_jid_cancels_nothing(reqless: Reqless, client: Client) -> None:
    client.queues["q"].put("app.Job", {}, jid="j1")
    result = reqless("cancel", "j1", "nope")
    assert result.code == 1
    assert "nope" in result.err and "nothing was changed" in result.err
    assert client.jobs["j1"] is not None


def test_cancel_of_a_dependency_alone_is_refused(reqless: Reqless, client: Client) -> None:
    client.queues["q"].put("app.Job", {}, jid="parent")
    client.queues["q"].put("app.Job", {}, jid="child", depends=["parent"])
    refused = reqless("cancel", "parent")
    assert refused.code == 1 and "dependency" in refused.err
    assert client.jobs["parent"] is not None
    assert reqless("cancel", "parent", "child").code == 0
    assert client.jobs["parent"] is None and client.jobs["child"] is None


def test_retry_a_failed_job(reqless: Reqless, client: Client) -> None:
    _failed(client, "f1")
    result = reqless("retry", "f1")
    assert result.code == 0, result.err
    job = client.jobs.get_job("f1")
    assert (job.state, job.queue_name) == ("waiting", "q")


def test_retry_refuses_jobs_that_did_not_fail(reqless: Reqless, client: Client) -> None:
    _failed(client, "f1")
    client.queues["q"].put("app.Job", {}, jid="w1")
    result = reqless("retry", "f1", "w1")
    assert result.code == 1
    assert "w1 is waiting" in result.err
    assert client.jobs.get_job("f1").state == "failed"
    assert reqless("retry", "nope").code == 1


def test_move(reqless: Reqless, client: Client) -> None:
    client.queues["q"].put("app.Job", {}, jid="j1", priority=5, tags=["x"])
    result = reqless("move", "j1", "other")
    assert result.code == 0, result.err
    job = client.jobs.get_job("j1")
    assert (job.queue_name, job.priority, job.tags) == ("other", 5, ["x"])
    assert reqless("move", "nope", "other").code == 1


def test_priority(reqless: Reqless, client: Client) -> None:
    client.queues["q"].put("app.Job", {}, jid="j1")
    result = reqless("priority", "j1", "25", "--json")
    assert result.code == 0
    assert result.json() == {"jid": "j1", "priority": 25}
    assert client.jobs.get_job("j1").priority == 25
    assert reqless("priority", "j1", "x").code == 2
    assert reqless("priority", "nope", "1").code == 1
