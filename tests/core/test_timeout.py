"""job.timeout (docs/core-commands.md, job.timeout; docs/concepts.md, Queues; Workers; Locks and
heartbeats)."""

from __future__ import annotations

import math

import pytest
from redis import Redis

from tests.core.test_complete import NOT_RUNNING, counters, make_job, running, set_throttle, track
from tests.helpers import Core, events


def test_timeout_stalls_the_job(core: Core, redis: Redis) -> None:
    core.put(0, "jid", "queue", "priority", 3)
    core.pop(1)
    assert core("job.timeout", 2, "jid") is None
    job = core.job("jid")
    assert job["state"] == "stalled"
    assert job["worker"] == ""
    assert job["expires"] == 0
    assert job["priority"] == 3
    assert job["remaining"] == 5
    assert job["history"][-1] == {"what": "timed-out", "when": 2}
    assert redis.lrange("ql:j:jid-history", -1, -1) == ['[2,"timed-out"]']
    assert redis.zscore("ql:q:queue-locks", "jid") is None
    assert redis.zscore("ql:q:queue-work", "jid") == math.inf


def test_timeout_leaves_the_worker_set_and_stats(core: Core, redis: Redis) -> None:
    running(core)
    core("job.timeout", 2, "jid")
    assert redis.zscore("ql:w:worker:jobs", "jid") == 61
    assert counters(redis, "queue", 2) == {}
    assert redis.zscore("ql:workers", "worker") == 1


def test_timeout_publishes_lock_lost(core: Core, redis: Redis) -> None:
    running(core)
    track(redis, "jid")
    with events(redis) as capture:
        core("job.timeout", 2, "jid")
        payload = '{"jid":"jid","event":"lock_lost","worker":"worker"}'
        assert capture.drain() == [("ql:w:worker", payload), ("ql:log", payload)]


def test_timed_out_job_is_popped_next(core: Core, redis: Redis) -> None:
    running(core)
    core.put(2, "urgent", "queue", "priority", 100)
    core("job.timeout", 3, "jid")
    popped = core.pop(4, "queue", "another")
    assert [job["jid"] for job in popped] == ["jid"]
    job = popped[0]
    assert job["state"] == "running"
    assert job["worker"] == "another"
    assert job["expires"] == 64
    assert job["remaining"] == 5
    assert [entry["what"] for entry in job["history"]] == ["put", "popped", "timed-out", "popped"]


def test_timed_out_jobs_tie_in_reverse_jid_order(core: Core) -> None:
    for jid in ("x1", "x3", "x2"):
        core.put(0, jid)
    core.pop(1, limit=3)
    core("job.timeout", 2, "x2", "x1", "x3")
    assert [job["jid"] for job in core.pop(3, limit=3)] == ["x3", "x2", "x1"]


def test_timeout_of_several_jobs(core: Core, redis: Redis) -> None:
    core.put(0, "a")
    core.put(1, "b")
    core.pop(2, "queue", "w1")
    core.pop(2, "queue", "w2")
    with events(redis) as capture:
        core("job.timeout", 3, "b", "a")
        lost_a = '{"jid":"a","event":"lock_lost","worker":"w1"}'
        lost_b = '{"jid":"b","event":"lock_lost","worker":"w2"}'
        assert capture.drain() == [
            ("ql:w:w2", lost_b),
            ("ql:log", lost_b),
            ("ql:w:w1", lost_a),
            ("ql:log", lost_a),
        ]
    assert {core.job(jid)["state"] for jid in ("a", "b")} == {"stalled"}


def test_timeout_releases_throttles(core: Core, redis: Redis) -> None:
    set_throttle(redis, "ql:q:queue", 1)
    core.put(0, "jid")
    core.put(1, "next")
    core.pop(2, limit=2)
    assert redis.zrange("ql:th:ql:q:queue-pending", 0, -1) == ["next"]
    core("job.timeout", 5, "jid")
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1) == []
    assert redis.zrange("ql:th:ql:q:queue-pending", 0, -1) == []
    assert redis.zrange("ql:q:queue-throttled", 0, -1) == []
    assert core.job("next")["state"] == "throttled"
    assert redis.zrevrange("ql:q:queue-work", 0, -1) == ["jid", "next"]


def test_old_holder_cannot_continue_after_a_timeout(core: Core) -> None:
    running(core)
    core("job.timeout", 2, "jid")
    core.fails("job.heartbeat", 3, "jid", "worker", match="not currently running: stalled")
    core.fails(
        "job.complete", 3, "jid", "worker", "queue", "{}", match="not currently running: stalled"
    )


def test_timeout_with_no_jids_does_nothing(core: Core, redis: Redis) -> None:
    running(core)
    with events(redis) as capture:
        assert core("job.timeout", 2) is None
        assert capture.drain() == []
    assert core.job("jid")["state"] == "running"


def test_timeout_of_a_job_whose_lock_expired(core: Core) -> None:
    running(core)
    assert core.pop(70, "queue", "another") == []  # warning stage
    core("job.timeout", 75, "jid")
    assert core.job("jid")["state"] == "stalled"


@pytest.mark.parametrize("state", NOT_RUNNING)
def test_timeout_rejects_jobs_that_are_not_running(core: Core, state: str) -> None:
    make_job(core, state)
    core.fails("job.timeout", 5, "jid", match="Timeout(): Job jid not running")


@pytest.mark.parametrize(
    ("jids", "message"),
    [
        (("missing",), "Timeout(): Job missing not running"),
        (("",), "Timeout(): Job  not running"),
        # Every jid is checked before any is timed out (a decision beyond the spec,
        # which leaves the earlier jids timed out).
        (("jid", "missing"), "Timeout(): Job missing not running"),
        (("jid", "waiting"), "Timeout(): Job waiting not running"),
        (("jid", "jid"), "Timeout(): Job jid not running"),
    ],
)
def test_timeout_malformed(core: Core, jids: tuple[str, ...], message: str) -> None:
    running(core)
    core.put(0, "waiting")
    core.fails("job.timeout", 2, *jids, match=message)
