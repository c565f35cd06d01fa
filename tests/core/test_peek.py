"""queue.peek (docs/concepts.md, Queues; docs/core-commands.md, queue.pop and queue.peek)."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core, snapshot


def peek(core: Core, now: float, offset: Arg, limit: Arg, queue: str = "queue") -> list[Any]:
    """The jids that queue.peek returns."""
    return [job["jid"] for job in core.json("queue.peek", now, queue, offset, limit)]


@pytest.fixture
def expired(redis: Redis, core: Core) -> Core:
    """20 jobs put at 1..20; the first 10 popped at 21 with locks that expire at 21."""
    redis.hset("ql:config", mapping={"heartbeat": 0, "grace-period": 0})
    for i in range(20):
        core.put(i + 1, f"jid-{i}")
    core.pop(21, limit=10)
    return core


@pytest.mark.parametrize(
    ("offset", "limit", "expected"),
    [
        (0, 10, [f"jid-{i}" for i in range(10)]),
        (0, 20, [f"jid-{i}" for i in range(20)]),
        (10, 10, [f"jid-{i}" for i in range(10, 20)]),
        (0, 3, ["jid-0", "jid-1", "jid-2"]),
        (10, 3, ["jid-10", "jid-11", "jid-12"]),
        (18, 3, ["jid-18", "jid-19"]),
        (5, 10, [f"jid-{i}" for i in range(5, 15)]),
        (20, 5, []),
        (0, 100, [f"jid-{i}" for i in range(20)]),
    ],
)
def test_peek_table(expired: Core, offset: int, limit: int, expected: list[str]) -> None:
    assert peek(expired, 21, offset, limit) == expected


def test_peek_each_position(redis: Redis, expired: Core) -> None:
    before = snapshot(redis)
    for k in range(20):
        assert peek(expired, 21, k, 1) == [f"jid-{k}"]
    # Nothing is invalidated or handed out by a peek.
    assert snapshot(redis) == before


def test_expired_locks_with_no_room_for_work(expired: Core) -> None:
    # M = |E|: the work set contributes nothing (a zero count is not "everything").
    assert peek(expired, 21, 7, 3) == ["jid-7", "jid-8", "jid-9"]
    assert peek(expired, 21, 9, 1) == ["jid-9"]


def test_running_jobs_are_hidden_until_their_lock_expires(core: Core) -> None:
    core.put(0, "a")
    core.put(0, "b")
    core.pop(1)
    assert peek(core, 60, 0, 10) == ["a"]
    assert peek(core, 61, 0, 10) == ["b", "a"]


def test_negative_deadlines_count_as_expired(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "heartbeat", -10)
    core.put(0, "a")
    core.put(0, "b")
    core.pop(0)
    assert peek(core, -5, 0, 10) == ["b", "a"]


def test_expired_locks_order_by_deadline_then_jid(redis: Redis, core: Core) -> None:
    for jid in ("c", "a", "b"):
        core.put(0, jid)
    core.pop(1, limit=3)
    redis.zadd("ql:q:queue-locks", {"c": 5, "a": 7, "b": 7})
    assert peek(core, 10, 0, 10) == ["c", "a", "b"]


def test_empty_or_unknown_queue(redis: Redis, core: Core) -> None:
    assert core("queue.peek", 0, "nothing", 0, 10) == "[]"
    assert redis.keys("*") == []


def test_peek_follows_pop_order(core: Core) -> None:
    core.put(0, "low", "queue", "priority", -1)
    core.put(1, "x1")
    core.put(1, "x3")
    core.put(1, "x2")
    core.put(0, "later", "queue", "priority", 0)
    core.put(0, "high", "queue", "priority", 5)
    expected = ["high", "later", "x3", "x2", "x1", "low"]
    assert peek(core, 2, 0, 10) == expected
    assert [job["jid"] for job in core.pop(3, limit=10)] == expected


def test_offset_into_the_work_set(core: Core) -> None:
    for t in range(5):
        core.put(t, f"j{t}")
    assert peek(core, 10, 2, 2) == ["j2", "j3"]
    assert peek(core, 10, 4, 5) == ["j4"]
    assert peek(core, 10, 5, 5) == []


@pytest.mark.parametrize(
    ("offset", "limit", "expected"),
    [("1.5", "2.7", ["j1", "j2"]), ("0x1", "1", ["j1"]), (0, "0.9", []), (0, -3, [])],
)
def test_offset_and_limit_are_floored(
    core: Core, offset: Arg, limit: Arg, expected: list[str]
) -> None:
    for t in range(5):
        core.put(t, f"j{t}")
    assert peek(core, 10, offset, limit) == expected


def test_peek_returns_full_job_objects(core: Core) -> None:
    core.put(0, "jid", "queue", "tags", '["t"]', "priority", 3)
    assert core.json("queue.peek", 1, "queue", 0, 1) == [core.job("jid")]


def test_peek_writes_nothing_without_due_jobs(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.put(0, "later", delay=100)
    before = snapshot(redis)
    assert peek(core, 5, 0, 10) == ["jid"]
    assert snapshot(redis) == before


def test_nonpositive_limit_has_no_side_effects(redis: Redis, core: Core) -> None:
    core.put(0, "jid", delay=1)
    before = snapshot(redis)
    assert core("queue.peek", 5, "queue", 0, 0) == "[]"
    assert core("queue.peek", 5, "queue", 3, -1) == "[]"
    assert snapshot(redis) == before


def test_peek_promotes_due_scheduled_jobs(redis: Redis, core: Core) -> None:
    core.put(0, "jid", delay=5)
    assert peek(core, 4, 0, 10) == []
    assert core.job("jid")["state"] == "scheduled"
    assert peek(core, 5, 0, 10) == ["jid"]
    job = core.job("jid")
    assert job["state"] == "waiting"
    assert job["history"] == [{"what": "put", "when": 0, "queue": "queue"}]
    assert redis.zscore("ql:q:queue-work", "jid") == -5 / 10_000_000_000
    assert redis.zcard("ql:q:queue-scheduled") == 0


def test_promotion_budget_is_offset_plus_limit(redis: Redis, core: Core) -> None:
    for jid in ("s1", "s2", "s3", "s4"):
        core.put(0, jid, delay=1)
    assert peek(core, 5, 1, 1) == ["s1"]
    assert redis.zrange("ql:q:queue-scheduled", 0, -1) == ["s3", "s4"]
    assert redis.zrange("ql:q:queue-work", 0, -1) == ["s1", "s2"]


def test_expired_locks_reduce_the_promotion_budget(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "heartbeat", 0)
    core.put(0, "run")
    core.pop(1)
    core.put(0, "s1", delay=1)
    core.put(0, "s2", delay=1)
    assert peek(core, 5, 0, 2) == ["run", "s1"]
    assert redis.zrange("ql:q:queue-scheduled", 0, -1) == ["s2"]


def test_peek_ignores_pause_and_throttles(redis: Redis, core: Core) -> None:
    core.put(0, "b", "queue", "throttles", '["tid"]')
    redis.hset("ql:th:tid", mapping={"id": "tid", "maximum": 1})
    redis.zadd("ql:th:tid-locks", {"holder": 1})
    core.put(1, "c", "queue", "throttles", '["tid"]')  # throttled at put: not in work
    redis.sadd("ql:paused_queues", "queue")
    before = snapshot(redis)
    assert peek(core, 4, 0, 10) == ["b"]
    assert snapshot(redis) == before
    assert core.job("b")["state"] == "waiting"
    assert core.job("c")["state"] == "throttled"


def test_peek_skips_jids_without_a_job(redis: Redis, core: Core) -> None:
    core.put(0, "a")
    core.put(1, "b")
    redis.zadd("ql:q:queue-work", {"ghost": 10})
    assert peek(core, 2, 0, 2) == ["a"]
    assert peek(core, 2, 0, 3) == ["a", "b"]
    assert redis.zscore("ql:q:queue-work", "ghost") == 10


def test_timed_out_jobs_come_first_in_work(core: Core) -> None:
    core.put(0, "a", "queue", "priority", -10)
    core.pop(1)
    core.put(2, "b", "queue", "priority", 10)
    core("job.timeout", 2, "a")
    assert peek(core, 3, 0, 10) == ["a", "b"]
    assert core.job("a")["state"] == "stalled"


PEEK_ERRORS: list[tuple[tuple[Arg, ...], str]] = [
    ((), "Queue(): no queue name provided"),
    (("queue",), 'Peek(): Arg "offset" missing or not a number: '),
    (("queue", "first"), 'Peek(): Arg "offset" missing or not a number: first'),
    (("queue", "nan", 1), 'Peek(): Arg "offset" missing or not a number: nan'),
    (("queue", 0), 'Peek(): Arg "limit" missing or not a number: '),
    (("queue", 0, "all"), 'Peek(): Arg "limit" missing or not a number: all'),
    (("queue", 0, ""), 'Peek(): Arg "limit" missing or not a number: '),
    (("queue", "x", "y"), 'Peek(): Arg "offset" missing or not a number: x'),
]


@pytest.mark.parametrize(("args", "match"), PEEK_ERRORS)
def test_peek_rejects_malformed_input(core: Core, args: tuple[Arg, ...], match: str) -> None:
    core.put(0, "due", delay=1)
    core.fails("queue.peek", 5, *args, match=match)
