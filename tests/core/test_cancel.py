"""job.cancel (docs/core-commands.md, job.cancel and job.fail; docs/concepts.md, Statistics and
Events)."""

from __future__ import annotations

import pytest
from redis import Redis

from tests.core.test_complete import counters, make_job, running, set_throttle, track, work_score
from tests.helpers import Core, events

CANCELLABLE = ("waiting", "scheduled", "depends", "throttled", "stalled", "failed", "running")


def canceled(jid: str, queue: str, worker: str) -> str:
    """The canceled event payload (docs/concepts.md, Events) for a job that exists."""
    return f'{{"jid":"{jid}","queue":"{queue}","event":"canceled","worker":"{worker}"}}'


def test_cancel_returns_its_arguments(core: Core) -> None:
    core.put(0, "a")
    assert core("job.cancel", 1, "a", "missing", "a") == ["a", "missing", "a"]
    assert core("job.cancel", 1) == []


@pytest.mark.parametrize("state", CANCELLABLE)
def test_cancel_deletes_the_job(core: Core, redis: Redis, state: str) -> None:
    make_job(core, state)
    assert core("job.cancel", 5, "jid") == ["jid"]
    assert core.job("jid") is None
    assert redis.exists("ql:j:jid", "ql:j:jid-history", "ql:j:jid-dependencies") == 0
    for kind in ("work", "locks", "scheduled", "depends", "throttled"):
        assert redis.zscore(f"ql:q:queue-{kind}", "jid") is None
    for key in redis.keys("ql:th:*"):
        if redis.type(key) == "zset":
            assert redis.zscore(key, "jid") is None


@pytest.mark.parametrize("state", ["waiting", "scheduled", "depends", "throttled", "failed"])
def test_cancel_of_a_job_without_worker_publishes_one_message(
    core: Core, redis: Redis, state: str
) -> None:
    make_job(core, state)
    with events(redis) as capture:
        core("job.cancel", 5, "jid")
        assert capture.drain() == [("ql:log", canceled("jid", "queue", ""))]


def test_cancel_of_a_running_job(core: Core, redis: Redis) -> None:
    running(core, queue="q", worker="wrk")
    with events(redis) as capture:
        core("job.cancel", 2, "jid")
        payload = canceled("jid", "q", "wrk")
        assert capture.drain() == [("ql:log", payload), ("ql:w:wrk", payload)]
    assert redis.zscore("ql:w:wrk:jobs", "jid") is None
    assert redis.zscore("ql:q:q-locks", "jid") is None


def test_cancel_of_a_stalled_job_leaves_the_old_worker_entry(core: Core, redis: Redis) -> None:
    make_job(core, "stalled")
    with events(redis) as capture:
        core("job.cancel", 5, "jid")
        assert capture.drain() == [("ql:log", canceled("jid", "queue", ""))]
    # job.timeout kept the worker-set entry and cleared `worker`, so cancel cannot find it.
    assert redis.zscore("ql:w:worker:jobs", "jid") == 61


def test_cancel_of_a_tracked_job(core: Core, redis: Redis) -> None:
    running(core)
    track(redis, "jid")
    with events(redis) as capture:
        core("job.cancel", 2, "jid")
        payload = canceled("jid", "queue", "worker")
        assert capture.drain() == [
            ("ql:log", payload),
            ("ql:w:worker", payload),
            ("ql:canceled", "jid"),
        ]
    assert redis.zscore("ql:tracked", "jid") == 0


def test_cancel_of_a_missing_jid(core: Core, redis: Redis) -> None:
    with events(redis) as capture:
        assert core("job.cancel", 1, "x") == ["x"]
        assert capture.drain() == [
            ("ql:log", '{"jid":"x","queue":false,"event":"canceled","worker":false}'),
        ]
    assert redis.keys("*") == []


def test_cancel_of_a_missing_tracked_jid(core: Core, redis: Redis) -> None:
    track(redis, "x")
    with events(redis) as capture:
        core("job.cancel", 1, "x")
        assert capture.drain() == [
            ("ql:log", '{"jid":"x","queue":false,"event":"canceled","worker":false}'),
            ("ql:canceled", "x"),
        ]
    assert redis.zscore("ql:tracked", "x") == 0


def test_cancel_mixes_missing_and_existing_jids(core: Core, redis: Redis) -> None:
    core.put(0, "a")
    with events(redis) as capture:
        core("job.cancel", 1, "missing", "a", "a")
        missing = '{"jid":"%s","queue":false,"event":"canceled","worker":false}'
        assert capture.drain() == [
            ("ql:log", missing % "missing"),
            ("ql:log", canceled("a", "queue", "")),
            ("ql:log", missing % "a"),
        ]
    assert core.job("a") is None


def test_cancel_of_a_complete_job_does_nothing(core: Core, redis: Redis) -> None:
    make_job(core, "complete")
    track(redis, "jid")
    with events(redis) as capture:
        assert core("job.cancel", 5, "jid") == ["jid"]
        assert capture.drain() == []
    assert core.job("jid")["state"] == "complete"
    assert redis.zscore("ql:completed", "jid") == 2


def test_cancelled_job_cannot_be_heartbeated(core: Core) -> None:
    running(core)
    core("job.cancel", 2, "jid")
    core.fails("job.heartbeat", 3, "jid", "worker", match="Job does not exist")


def test_cancel_of_a_dependent_unlinks_it(core: Core, redis: Redis) -> None:
    core.put(0, "a")
    core.put(0, "b", "queue", "depends", '["a"]')
    core("job.cancel", 1, "b")
    assert core.job("a")["dependents"] == {}
    assert redis.exists("ql:j:a-dependents", "ql:j:b-dependencies") == 0


@pytest.mark.parametrize("order", [("a", "b"), ("b", "a")])
def test_cancel_of_a_job_with_its_dependents(
    core: Core, redis: Redis, order: tuple[str, str]
) -> None:
    core.put(0, "a")
    core.put(0, "b", "queue", "depends", '["a"]')
    assert core("job.cancel", 1, *order) == list(order)
    assert core.job("a") is None
    assert core.job("b") is None
    assert redis.keys("ql:j:*") == []


def test_cancel_of_a_whole_chain(core: Core, redis: Redis) -> None:
    core.put(0, "a")
    core.put(0, "b", "queue", "depends", '["a"]')
    core.put(0, "c", "queue", "depends", '["b"]')
    core("job.cancel", 1, "c", "a", "b")
    assert redis.keys("ql:j:*") == []


@pytest.mark.parametrize(
    ("jids", "message"),
    [
        (("a",), "Cancel(): a is a dependency of b but is not mentioned to be canceled"),
        (("a", "b"), "Cancel(): b is a dependency of c but is not mentioned to be canceled"),
        (("b", "a"), "Cancel(): b is a dependency of c but is not mentioned to be canceled"),
        (("missing", "b"), "Cancel(): b is a dependency of c but is not mentioned to be canceled"),
        (("c", "a"), "Cancel(): a is a dependency of b but is not mentioned to be canceled"),
        (("x", "a", "c"), "Cancel(): a is a dependency of b but is not mentioned to be canceled"),
    ],
)
def test_cancel_refuses_to_orphan_dependents(
    core: Core, jids: tuple[str, ...], message: str
) -> None:
    core.put(0, "x")
    core.put(0, "a")
    core.put(0, "b", "queue", "depends", '["a"]')
    core.put(0, "c", "queue", "depends", '["b"]')
    core.fails("job.cancel", 1, *jids, match=message)


def test_cancel_names_one_of_several_dependents(core: Core) -> None:
    core.put(0, "a")
    core.put(0, "b", "queue", "depends", '["a"]')
    core.put(0, "c", "queue", "depends", '["a"]')
    error = core.fails("job.cancel", 1, "a", "b", match="Cancel(): a is a dependency of c")
    assert "but is not mentioned to be canceled" in str(error)


def test_cancel_of_a_failed_job_unlists_it(core: Core, redis: Redis) -> None:
    core.put(0, "a")
    core.put(0, "b")
    core.pop(1, limit=2)
    core("job.fail", 2, "a", "worker", "group", "message")
    core("job.fail", 2, "b", "worker", "group", "message")
    core("job.cancel", 3, "a")
    assert redis.lrange("ql:f:group", 0, -1) == ["b"]
    assert redis.smembers("ql:failures") == {"group"}
    core("job.cancel", 3, "b")
    assert redis.exists("ql:f:group", "ql:failures") == 0


def test_cancel_of_a_failed_job_decrements_failed_on_the_failure_day(
    core: Core, redis: Redis
) -> None:
    day = 86400
    core.put(0, "jid")
    core.pop(day + 1)
    core("job.fail", day + 5, "jid", "worker", "group", "message")
    assert counters(redis, "queue", day) == {"failures": "1", "failed": "1"}
    core("job.cancel", 3 * day, "jid")
    assert counters(redis, "queue", day) == {"failures": "1", "failed": "0"}
    assert counters(redis, "queue", 3 * day) == {}


def test_cancel_of_a_non_failed_job_leaves_the_stats(core: Core, redis: Redis) -> None:
    running(core)
    core("job.fail", 2, "jid", "worker", "group", "message")
    core.put(3, "jid")
    core("job.cancel", 4, "jid")
    assert counters(redis, "queue", 0) == {"failures": "1", "failed": "0"}


def test_cancel_of_the_throttle_holder_releases_the_next_job(core: Core, redis: Redis) -> None:
    set_throttle(redis, "ql:q:queue", 1)
    core.put(0, "jid")
    core.put(1, "next")
    core.pop(2, limit=2)
    core("job.cancel", 5, "jid")
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1) == []
    assert redis.zrange("ql:th:ql:q:queue-pending", 0, -1) == []
    assert redis.zscore("ql:q:queue-work", "next") == work_score(0, 5)
    assert [job["jid"] for job in core.pop(6)] == ["next"]


def test_cancel_of_a_pending_job_leaves_the_throttle(core: Core, redis: Redis) -> None:
    make_job(core, "throttled")
    assert redis.zrange("ql:th:ql:q:queue-pending", 0, -1) == ["jid"]
    core("job.cancel", 5, "jid")
    assert redis.zrange("ql:th:ql:q:queue-pending", 0, -1) == []
    assert redis.zrange("ql:q:queue-throttled", 0, -1) == []
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1) == ["holder"]


def test_cancel_removes_the_tags(core: Core, redis: Redis) -> None:
    core.put(0, "a", "queue", "tags", '["foo","bar"]')
    core.put(0, "b", "queue", "tags", '["foo"]')
    core("job.cancel", 1, "a")
    assert redis.exists("ql:t:bar") == 0
    assert redis.zscore("ql:tags", "bar") is None
    assert redis.zrange("ql:t:foo", 0, -1) == ["b"]
    assert redis.zscore("ql:tags", "foo") == 1
    core("job.cancel", 1, "b")
    assert redis.exists("ql:t:foo", "ql:tags") == 0


def test_cancel_keeps_the_queue_registered(core: Core, redis: Redis) -> None:
    core.put(0, "jid")
    core("job.cancel", 1, "jid")
    assert redis.zscore("ql:queues", "queue") == 0
