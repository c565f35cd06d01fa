"""reqless.collections: client.jobs, client.queues, client.throttles and client.workers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from reqless.client import Client
from reqless.job import Job, RecurringJob
from reqless.queue import Queue
from reqless.server import LocalServer
from reqless.throttle import Throttle
from tests.client.recording import RecordingClient

KLASS = "tests.client.test_collections.Nothing"


@pytest.fixture
def rec(server: LocalServer, redis: Redis) -> Iterator[RecordingClient]:
    """A recording client on a flushed database."""
    made = RecordingClient(server.url, hostname="test-worker")
    yield made
    made.database.close()


def _complete(client: Client, queue: str = "q") -> str:
    jid = client.queues[queue].put(KLASS, {})
    job = client.queues[queue].pop()
    assert job is not None and job.jid == jid
    job.complete()
    return jid


def _failed(client: Client, group: str, queue: str = "q") -> str:
    jid = client.queues[queue].put(KLASS, {})
    job = client.queues[queue].pop()
    assert job is not None and job.jid == jid
    job.fail(group, "message")
    return jid


# --- client.jobs ---------------------------------------------------------------------------


def test_jobs_getitem_finds_jobs_then_templates(client: Client) -> None:
    jid = client.queues["q"].put(KLASS, {})
    template = client.queues["q"].recur(KLASS, {}, 60)
    job = client.jobs[jid]
    assert isinstance(job, Job) and job.jid == jid
    recurring = client.jobs[template]
    assert isinstance(recurring, RecurringJob) and recurring.jid == template
    assert client.jobs["missing"] is None


def test_jobs_get(rec: RecordingClient) -> None:
    assert rec.jobs.get() == []
    assert rec.calls == []
    a = rec.queues["q"].put(KLASS, {})
    b = rec.queues["q"].put(KLASS, {})
    jobs = rec.jobs.get(b, "missing", a)
    assert all(isinstance(job, Job) for job in jobs)
    assert [job.jid for job in jobs] == [b, a]


def test_jobs_complete_lists_completed_jobs_newest_first(client: Client) -> None:
    assert client.jobs.complete() == []
    jids = [_complete(client) for _ in range(4)]
    assert client.jobs.complete() == jids[::-1]
    assert client.jobs.complete(1, 2) == jids[::-1][1:3]


def test_jobs_tracked(client: Client) -> None:
    assert client.jobs.tracked() == {"jobs": [], "expired": []}
    kept = client.queues["q"].put(KLASS, {})
    gone = client.queues["q"].put(KLASS, {})
    client.track(kept)
    client.track(gone)
    client.jobs.get(gone)[0].cancel()
    tracked = client.jobs.tracked()
    assert [job.jid for job in tracked["jobs"]] == [kept]
    assert all(isinstance(job, Job) and job.tracked for job in tracked["jobs"])
    assert tracked["expired"] == [gone]


def test_jobs_tagged(client: Client) -> None:
    assert client.jobs.tagged("foo") == {"total": 0, "jobs": []}
    first = client.queues["q"].put(KLASS, {}, tags=["foo"])
    second = client.queues["q"].put(KLASS, {}, tags=["foo", "bar"])
    tagged = client.jobs.tagged("foo")
    assert tagged["total"] == 2
    assert sorted(tagged["jobs"]) == sorted([first, second])
    assert client.jobs.tagged("bar") == {"total": 1, "jobs": [second]}
    page = client.jobs.tagged("foo", 1, 1)
    assert page["total"] == 2
    assert len(page["jobs"]) == 1


def test_jobs_failed_counts_and_groups(rec: RecordingClient) -> None:
    assert rec.jobs.failed() == {}
    a = _failed(rec, "group-a")
    b = _failed(rec, "group-a")
    _failed(rec, "group-b")
    assert rec.jobs.failed() == {"group-a": 2, "group-b": 1}
    assert rec.last("failureGroups.counts") == ()
    group = rec.jobs.failed("group-a")
    assert group["total"] == 2
    assert all(isinstance(job, Job) for job in group["jobs"])
    assert sorted(job.jid for job in group["jobs"]) == sorted([a, b])
    assert rec.last("jobs.failedByGroup") == ("group-a", 0, 25)
    page = rec.jobs.failed("group-a", 1, 1)
    assert page["total"] == 2
    assert len(page["jobs"]) == 1
    assert rec.last("jobs.failedByGroup") == ("group-a", 1, 1)
    assert rec.jobs.failed("nobody") == {"total": 0, "jobs": []}


# --- client.queues -------------------------------------------------------------------------


def test_queues_getitem(client: Client) -> None:
    queue = client.queues["q"]
    assert isinstance(queue, Queue)
    assert queue.name == "q"
    assert queue.client is client


def test_queues_counts_and_names(client: Client) -> None:
    assert client.queues.counts == []
    assert client.queues.names == []
    client.queues["first"].put(KLASS, {})
    client.queues["second"].put(KLASS, {}, delay=60)
    client.queues["second"].pause()
    counts = client.queues.counts
    assert [entry["name"] for entry in counts] == ["first", "second"]
    assert counts[0]["waiting"] == 1
    assert counts[1]["scheduled"] == 1
    assert counts[1]["paused"] is True
    assert client.queues.names == ["first", "second"]


# --- client.throttles ----------------------------------------------------------------------


def test_throttles_getitem(client: Client) -> None:
    throttle = client.throttles["t"]
    assert isinstance(throttle, Throttle)
    assert throttle.name == "t"
    throttle.set_maximum(2)
    assert client.throttles["t"].maximum() == 2


# --- client.workers ------------------------------------------------------------------------


def test_workers_counts_and_jobs(client: Client) -> None:
    assert client.workers.counts == []
    assert client.workers["test-worker"] == {"jobs": [], "stalled": []}
    jid = client.queues["q"].put(KLASS, {})
    client.queues["q"].pop()
    assert client.workers.counts == [{"name": "test-worker", "jobs": 1, "stalled": 0}]
    assert client.workers["test-worker"] == {"jobs": [jid], "stalled": []}


def test_workers_stalled_jobs(client: Client) -> None:
    client("config.set", "heartbeat", -10)  # locks expire at once (Config refuses it)
    jid = client.queues["q"].put(KLASS, {})
    client.queues["q"].pop()
    assert client.workers["test-worker"] == {"jobs": [], "stalled": [jid]}
    assert client.workers.counts == [{"name": "test-worker", "jobs": 0, "stalled": 1}]


def test_workers_forget(client: Client) -> None:
    client.queues["q"].pop()
    other = client.queues["q"]
    other.worker_name = "other"
    other.pop()
    assert sorted(entry["name"] for entry in client.workers.counts) == ["other", "test-worker"]
    client.workers.forget("other")
    assert [entry["name"] for entry in client.workers.counts] == ["test-worker"]
    client.workers.forget("test-worker", "never-seen")
    assert client.workers.counts == []
