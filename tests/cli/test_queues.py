"""`reqless queues`, `jobs`, `pause`, `unpause`, `stats`, `failed`, `unfail`, `forget`."""

from __future__ import annotations

from reqless.client import Client
from tests.cli.process import Reqless


def _fail(client: Client, queue: str, jid: str, group: str) -> None:
    client.queues[queue].put("app.Job", {}, jid=jid)
    job = client.queues[queue].pop()
    assert job is not None
    job.fail(group, f"Traceback\n  ...\nValueError: {jid} broke")


def test_queues_lists_counts(reqless: Reqless, client: Client) -> None:
    assert reqless("queues").out.strip() == "no queues"
    client.queues["emails"].put("app.Job", {})
    client.queues["emails"].put("app.Job", {}, delay=60)
    client.queues["emails"].pause()
    table = reqless("queues")
    assert table.code == 0
    row = next(line for line in table.out.splitlines() if "emails" in line)
    assert row.split("│")[1:5] == [" emails ", " yes    ", " 1       ", " 0       "]
    (counts,) = reqless("queues", "--json").json()
    assert counts["paused"] is True and counts["waiting"] == 1 and counts["scheduled"] == 1


def test_jobs_by_state(reqless: Reqless, client: Client) -> None:
    queue = client.queues["q"]
    queue.put("app.Job", {}, jid="w1", priority=1)
    queue.put("app.Job", {}, jid="w2", priority=2)
    queue.put("app.Job", {}, jid="s1", delay=60)
    queue.recur("app.Job", {}, 60, offset=60, jid="r1")
    assert reqless("jobs", "q", "--json").json() == ["w2", "w1"]
    assert reqless("jobs", "q", "--state", "scheduled", "--json").json() == ["s1"]
    recurring = reqless("jobs", "q", "--state", "recurring")
    assert "r1" in recurring.out and "every 60 s" in recurring.out
    assert "no running jobs" in reqless("jobs", "q", "--state", "running").out
    assert reqless("jobs", "q", "--state", "lost").code == 2


def test_pause_and_unpause(reqless: Reqless, client: Client) -> None:
    client.queues["a"].put("app.Job", {})
    assert reqless("pause", "a", "b").code == 0
    assert client.queues["a"].counts["paused"] is True
    assert client.queues["a"].pop() is None
    result = reqless("unpause", "a", "b", "--json")
    assert result.json() == {"unpaused": ["a", "b"]}
    assert client.queues["a"].counts["paused"] is False
    assert reqless("pause").code == 2


def test_stats(reqless: Reqless, client: Client) -> None:
    client.queues["q"].put("app.Job", {})
    job = client.queues["q"].pop()
    assert job is not None
    job.complete()
    table = reqless("stats", "q")
    assert table.code == 0, table.err
    assert "waited" in table.out and "1 job(s)" in table.out
    record = reqless("stats", "q", "--json").json()
    assert record["run"]["count"] == 1
    assert reqless("stats", "q", "--date", "2026-02-30").code == 2


def test_failed_and_unfail(reqless: Reqless, client: Client) -> None:
    _fail(client, "q", "f1", "q-ValueError")
    _fail(client, "q", "f2", "q-ValueError")
    assert reqless("failed", "--json").json() == {"q-ValueError": 2}
    listing = reqless("failed", "q-ValueError")
    assert "f1" in listing.out and "ValueError: f1 broke" in listing.out
    detail = reqless("failed", "q-ValueError", "--json").json()
    assert detail["total"] == 2 and {j["jid"] for j in detail["jobs"]} == {"f1", "f2"}
    result = reqless("unfail", "q-ValueError", "retry-queue", "--count", "1", "--json")
    assert result.json() == {"moved": 1, "queue": "retry-queue"}
    assert len(client.queues["retry-queue"]) == 1
    missing = reqless("unfail", "no-such-group", "q")
    assert missing.code == 1 and "no-such-group" in missing.err


def test_forget(reqless: Reqless, client: Client) -> None:
    client.queues["old"].put("app.Job", {}, jid="j1")
    client.jobs.get_job("j1").cancel()
    assert reqless("forget", "old").code == 0
    assert client.queues.names == []
