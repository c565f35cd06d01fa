"""Workers (docs/concepts.md, Workers): workers.counts, worker.jobs, worker.forget, expiry."""

from __future__ import annotations

import json

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core


def popped(core: Core, now: float = 1, jid: str = "jid", worker: str = "worker") -> None:
    """Put `jid` and pop it with `worker` at `now` (deadline now + 60)."""
    core.put(now, jid)
    assert [job["jid"] for job in core.pop(now, worker=worker)] == [jid]


def worker_jobs(core: Core, now: float, worker: str = "worker") -> object:
    return core.json("worker.jobs", now, worker)


# --- workers.counts ----------------------------------------------------------------


def test_empty(core: Core) -> None:
    assert core("workers.counts", 0) == "[]"
    assert core("worker.jobs", 0) == "{}"


def test_running_job(core: Core) -> None:
    popped(core)
    assert core.json("workers.counts", 2) == [{"name": "worker", "jobs": 1, "stalled": 0}]


def test_stalled_job_after_a_peek(core: Core) -> None:
    popped(core)
    core.json("queue.peek", 71, "queue", 0, 10)
    assert core.json("workers.counts", 71) == [{"name": "worker", "jobs": 0, "stalled": 1}]


def test_deadline_equal_to_now_counts_in_both(core: Core) -> None:
    popped(core)
    assert core.json("workers.counts", 61) == [{"name": "worker", "jobs": 1, "stalled": 1}]


def test_deadline_bounds(core: Core, redis: Redis) -> None:
    popped(core)
    now = 100
    redis.zadd(
        "ql:w:worker:jobs",
        {"negative": -5, "zero": 0, "horizon": now + 8640000, "beyond": now + 8640001},
    )
    assert core.json("workers.counts", now) == [{"name": "worker", "jobs": 1, "stalled": 2}]
    assert worker_jobs(core, now) == {"jobs": ["horizon"], "stalled": ["jid", "zero"]}


FINISHERS: list[tuple[str, tuple[Arg, ...]]] = [
    ("job.complete", ("jid", "worker", "queue", "{}")),
    ("job.fail", ("jid", "worker", "group", "message")),
    ("job.retry", ("jid", "queue", "worker")),
    ("job.cancel", ("jid",)),
    ("queue.put", ("worker", "queue", "jid", "klass", "{}", 0)),
]


@pytest.mark.parametrize(("command", "args"), FINISHERS)
def test_finished_job_leaves_the_worker_listed(
    core: Core, command: str, args: tuple[Arg, ...]
) -> None:
    popped(core)
    core(command, 2, *args)
    assert core.json("workers.counts", 3) == [{"name": "worker", "jobs": 0, "stalled": 0}]
    assert core("worker.jobs", 3, "worker") in (
        '{"jobs":{},"stalled":{}}',
        '{"stalled":{},"jobs":{}}',
    )


def test_most_recently_active_first_ties_by_name_descending(core: Core) -> None:
    for worker, now in (("c", 3), ("a", 5), ("b", 5), ("d", 1)):
        core.pop(now, worker=worker)
    assert [item["name"] for item in core.json("workers.counts", 6)] == ["b", "a", "c", "d"]


def test_a_pop_on_a_paused_queue_does_not_register(core: Core) -> None:
    core("queue.pause", 0, "queue")
    core.pop(1)
    assert core("workers.counts", 2) == "[]"


# --- expiry --------------------------------------------------------------------


def test_max_worker_age(core: Core, redis: Redis) -> None:
    redis.hset("ql:config", "max-worker-age", "3600")  # as config.set stores it
    popped(core, now=0)
    assert [item["name"] for item in core.json("workers.counts", 3599)] == ["worker"]
    assert core.json("workers.counts", 3600) == []
    assert not redis.exists("ql:w:worker:jobs")
    assert redis.zcard("ql:workers") == 0


def test_default_max_worker_age(core: Core, redis: Redis) -> None:
    popped(core, now=0)
    core.pop(50000, worker="recent")
    assert [item["name"] for item in core.json("workers.counts", 86399)] == ["recent", "worker"]
    assert [item["name"] for item in core.json("workers.counts", 86400)] == ["recent"]
    assert not redis.exists("ql:w:worker:jobs")


def test_worker_jobs_runs_expiry(core: Core, redis: Redis) -> None:
    popped(core, now=0)
    core.pop(1, worker="other")
    assert worker_jobs(core, 86400) == {"jobs": {}, "stalled": {}}
    assert redis.zrange("ql:workers", 0, -1) == ["other"]
    assert not redis.exists("ql:w:worker:jobs")


def test_negative_scores_never_expire(core: Core, redis: Redis) -> None:
    redis.zadd("ql:workers", {"old": -10})
    assert core.json("workers.counts", 10**9) == [{"name": "old", "jobs": 0, "stalled": 0}]


@pytest.mark.parametrize("age", ["abc", "", "nan", "inf"])
def test_malformed_max_worker_age_uses_the_default(core: Core, redis: Redis, age: str) -> None:
    # A value no command can use is passed over for the default (86400 s).
    popped(core, now=0)
    redis.hset("ql:config", "max-worker-age", age)
    assert [item["name"] for item in core.json("workers.counts", 86399)] == ["worker"]
    assert core.json("workers.counts", 86400) == []


# --- worker.jobs ---------------------------------------------------------------------


def test_worker_jobs_running_then_stalled(core: Core) -> None:
    popped(core)
    assert worker_jobs(core, 2) == {"jobs": ["jid"], "stalled": {}}
    assert worker_jobs(core, 71) == {"jobs": {}, "stalled": ["jid"]}


def test_worker_jobs_unknown_worker(core: Core) -> None:
    assert worker_jobs(core, 0, "nobody") == {"jobs": {}, "stalled": {}}


def test_worker_jobs_latest_deadline_first_ties_by_jid_descending(core: Core) -> None:
    core.put(0, "jid2")
    core.put(0, "jid3")
    core.pop(1, limit=2)
    popped(core, now=5, jid="jid1")
    assert worker_jobs(core, 6) == {"jobs": ["jid1", "jid3", "jid2"], "stalled": {}}
    assert worker_jobs(core, 100) == {"jobs": {}, "stalled": ["jid1", "jid3", "jid2"]}


def test_reassigned_job_leaves_the_old_worker(core: Core) -> None:
    popped(core)
    core.pop(62, worker="another")  # warning stage: removed from worker's set
    assert worker_jobs(core, 63) == {"jobs": {}, "stalled": {}}
    assert [job["jid"] for job in core.pop(73, worker="another")] == ["jid"]
    assert worker_jobs(core, 74) == {"jobs": {}, "stalled": {}}
    assert worker_jobs(core, 74, "another") == {"jobs": ["jid"], "stalled": {}}


def test_worker_jobs_without_a_worker_is_the_counts_array(core: Core) -> None:
    popped(core)
    assert core.json("worker.jobs", 2) == core.json("workers.counts", 2)
    assert json.loads(core("worker.jobs", 2)) == [{"name": "worker", "jobs": 1, "stalled": 0}]


# --- worker.forget -------------------------------------------------------------------


def test_forget_removes_at_once_and_keeps_the_job_set(core: Core, redis: Redis) -> None:
    redis.hset("ql:config", "max-worker-age", "10")
    popped(core)
    core.pop(2, worker="kept")
    assert core("worker.forget", 3, "worker", "unknown") is None
    assert [item["name"] for item in core.json("workers.counts", 4)] == ["kept"]
    assert redis.zrange("ql:w:worker:jobs", 0, -1) == ["jid"]
    core.json("workers.counts", 100)  # expiry no longer sees `worker`
    assert redis.zrange("ql:w:worker:jobs", 0, -1) == ["jid"]


def test_forget_needs_a_worker(core: Core) -> None:
    popped(core)
    core.fails("worker.forget", 2, match='Forget(): Arg "worker" missing')
