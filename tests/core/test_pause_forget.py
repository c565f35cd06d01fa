"""queue.pause, queue.unpause and queue.forget (docs/core-commands.md, queue.pause and
queue.forget)."""

from __future__ import annotations

import pytest
from redis import Redis

from tests.helpers import Core, snapshot


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("queue.pause", 'Pause(): Arg "queue" missing'),
        ("queue.unpause", 'Unpause(): Arg "queue" missing'),
        ("queue.forget", 'Forget(): Arg "queue" missing'),
    ],
)
def test_at_least_one_name_is_required(core: Core, command: str, message: str) -> None:
    core.put(0, "jid")
    core("queue.pause", 0, "paused")
    core.fails(command, 1, match=message)


def test_pause_and_unpause_return_nil(redis: Redis, core: Core) -> None:
    assert core("queue.pause", 0, "a", "b", "c") is None
    assert redis.smembers("ql:paused_queues") == {"a", "b", "c"}
    assert core("queue.pause", 0, "a") is None
    assert core("queue.unpause", 0, "b", "unknown") is None
    assert redis.smembers("ql:paused_queues") == {"a", "c"}
    # Pausing does not make a queue known.
    assert redis.zcard("ql:queues") == 0


def test_empty_queue_name_is_a_name(redis: Redis, core: Core) -> None:
    core("queue.pause", 0, "")
    assert redis.smembers("ql:paused_queues") == {""}
    core.put(0, "jid", "")
    assert core.pop(1, "") == []
    core("queue.unpause", 0, "")
    assert [job["jid"] for job in core.pop(2, "")] == ["jid"]


def test_a_paused_queue_hands_out_nothing_and_records_no_worker(redis: Redis, core: Core) -> None:
    for i in range(3):
        core.put(i, f"jid{i}")
    core("queue.pause", 5, "queue")
    before = snapshot(redis)
    assert core("queue.pop", 6, "queue", "worker", 3) == "[]"
    assert snapshot(redis) == before
    assert redis.zscore("ql:workers", "worker") is None

    core("queue.unpause", 7, "queue")
    assert [job["jid"] for job in core.pop(8, limit=3)] == ["jid0", "jid1", "jid2"]
    assert redis.zscore("ql:workers", "worker") == 8


def test_a_paused_queue_deals_with_no_expired_lock(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "grace-period", 0)
    core.put(0, "jid")
    core.pop(0)
    core("queue.pause", 1, "queue")
    before = snapshot(redis)
    assert core.pop(100, worker="another") == []
    assert snapshot(redis) == before
    core("queue.unpause", 101, "queue")
    [job] = core.pop(102, worker="another")
    assert (job["worker"], job["remaining"]) == ("another", 4)


def test_a_paused_queue_promotes_nothing_on_pop(core: Core) -> None:
    core.put(0, "jid", delay=5)
    core("queue.pause", 1, "queue")
    assert core.pop(10) == []
    assert core.job("jid")["state"] == "scheduled"


def test_everything_else_works_on_a_paused_queue(redis: Redis, core: Core) -> None:
    core.put(0, "running")
    core.pop(0)
    core("queue.pause", 1, "queue")
    core.put(2, "waiting")
    assert core.job("waiting")["state"] == "waiting"
    assert [job["jid"] for job in core.json("queue.peek", 3, "queue", 0, 10)] == ["waiting"]
    assert core("job.heartbeat", 4, "running", "worker") == 64
    assert core("job.complete", 5, "running", "worker", "queue", "{}") == "complete"
    assert core("queue.length", 6, "queue") == 1
    counts = core.json("queue.counts", 6, "queue")
    assert (counts["paused"], counts["waiting"]) == (True, 1)


def test_pausing_one_queue_leaves_others_alone(core: Core) -> None:
    core.put(0, "a", "a")
    core.put(0, "b", "b")
    core("queue.pause", 1, "a")
    assert core.pop(2, "a") == []
    assert [job["jid"] for job in core.pop(2, "b")] == ["b"]


def test_many_names_at_once(redis: Redis, core: Core) -> None:
    # More names than one Redis call can spread from Lua (about 8000).
    names = [f"q{i}" for i in range(9000)]
    core("queue.pause", 0, *names)
    assert redis.scard("ql:paused_queues") == 9000
    core("queue.unpause", 0, *names[1:])
    assert redis.smembers("ql:paused_queues") == {"q0"}
    for name in names:
        redis.zadd("ql:queues", {name: 0})
    core("queue.forget", 0, *names[:-1])
    assert redis.zrange("ql:queues", 0, -1) == ["q8999"]


def test_forget_removes_only_the_name(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "a")
    core.put(1, "other", "b")
    core("queue.pause", 2, "a")
    assert core("queue.forget", 3, "a", "unknown") is None
    assert redis.zrange("ql:queues", 0, -1) == ["b"]
    # Jobs, queue sets and the pause flag are untouched.
    assert redis.zrange("ql:q:a-work", 0, -1) == ["jid"]
    assert core.job("jid")["queue"] == "a"
    assert redis.smembers("ql:paused_queues") == {"a"}
    assert [counts["name"] for counts in core.json("queue.counts", 4)] == ["b"]
    assert core.json("queue.counts", 4, "a")["waiting"] == 1


def test_a_forgotten_queue_is_registered_again_by_put(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "a")
    core.put(1, "other", "b")
    core("queue.forget", 2, "a")
    core.put(5, "again", "a")
    assert redis.zrange("ql:queues", 0, -1, withscores=True) == [("b", 1.0), ("a", 5.0)]


def test_forget_does_not_stop_pops(core: Core) -> None:
    core.put(0, "jid")
    core("queue.forget", 1, "queue")
    assert [job["jid"] for job in core.pop(2)] == ["jid"]
