"""job.setPriority (docs/concepts.md, Queues; docs/core-commands.md, job.setPriority)."""

from __future__ import annotations

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core, events, snapshot


def peek(core: Core, now: float = 100) -> list[str]:
    """The jids of the queue in pop order."""
    return [job["jid"] for job in core.json("queue.peek", now, "queue", 0, 100)]


@pytest.mark.parametrize(
    ("priority", "reply", "value"),
    [(2, 2, 2), ("1.7", 1, 1.7), ("-1.7", -1, -1.7), ("0x10", 16, 16), (" 3 ", 3, 3)],
)
def test_reply_is_the_truncated_priority(
    redis: Redis, core: Core, priority: Arg, reply: int, value: float
) -> None:
    core.put(0, "jid")
    assert core("job.setPriority", 1, "jid", priority) == reply
    assert float(redis.hget("ql:j:jid", "priority") or "nan") == value
    assert core.job("jid")["priority"] == value
    assert redis.zscore("ql:q:queue-work", "jid") == value


def test_reordering(core: Core) -> None:
    core.put(0, "a")
    core.put(0, "b", "queue", "priority", 1)
    assert peek(core) == ["b", "a"]
    core("job.setPriority", 1, "a", 2)
    assert peek(core) == ["a", "b"]


def test_time_term_is_dropped(redis: Redis, core: Core) -> None:
    core.put(10, "first")
    core.put(20, "second")
    core("job.setPriority", 30, "second", 0)
    assert redis.zscore("ql:q:queue-work", "second") == 0
    assert peek(core) == ["second", "first"]
    assert [job["jid"] for job in core.pop(40, limit=2)] == ["second", "first"]


@pytest.mark.parametrize("state", ["scheduled", "depends", "running", "throttled"])
def test_only_the_work_set_is_rescored(redis: Redis, core: Core, state: str) -> None:
    core.put(0, "dep")
    if state == "scheduled":
        core.put(1, "jid", delay=50)
        key = "ql:q:queue-scheduled"
    elif state == "depends":
        core.put(1, "jid", "queue", "depends", '["dep"]')
        key = "ql:q:queue-depends"
    elif state == "running":
        core.put(1, "jid", "queue", "priority", 9)
        core.pop(2)
        key = "ql:q:queue-locks"
    else:
        redis.hset("ql:th:tid", mapping={"id": "tid", "maximum": 1})
        redis.zadd("ql:th:tid-locks", {"holder": 1})
        core.put(1, "jid", "queue", "throttles", '["tid"]')
        key = "ql:q:queue-throttled"
    score = redis.zscore(key, "jid")
    assert score is not None
    assert core("job.setPriority", 3, "jid", 5) == 5
    assert redis.zscore(key, "jid") == score
    assert redis.zscore("ql:q:queue-work", "jid") is None
    assert core.job("jid")["state"] == state
    assert core.job("jid")["priority"] == 5


def test_new_priority_is_used_when_the_job_enters_work(redis: Redis, core: Core) -> None:
    core.put(0, "jid", delay=5)
    core("job.setPriority", 1, "jid", 3)
    core("queue.peek", 10, "queue", 0, 1)
    assert redis.zscore("ql:q:queue-work", "jid") == 3 - 10 / 10_000_000_000


def test_a_timed_out_job_is_rescored(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)
    core("job.timeout", 2, "jid")
    assert redis.zscore("ql:q:queue-work", "jid") == float("inf")
    core("job.setPriority", 3, "jid", 1)
    assert redis.zscore("ql:q:queue-work", "jid") == 1


def test_complete_job_only_gets_the_field(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)
    core("job.complete", 2, "jid", "worker", "queue", "{}")
    redis.zadd("ql:q:-work", {"other": 1})
    before = snapshot(redis)
    assert core("job.setPriority", 3, "jid", 4) == 4
    after = snapshot(redis)
    assert after["ql:j:jid"][1].pop("priority") == "4"
    before["ql:j:jid"][1].pop("priority")
    assert after == before


def test_a_waiting_job_stays_put_otherwise(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    before = snapshot(redis)
    with events(redis) as capture:
        core("job.setPriority", 1, "jid", -2)
        assert capture.drain() == []
    after = snapshot(redis)
    for snap in (before, after):
        snap["ql:j:jid"][1].pop("priority")
        snap.pop("ql:q:queue-work")
    assert after == before
    assert len(core.job("jid")["history"]) == 1


def test_stale_work_entry_of_another_queue_is_left_alone(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "other", delay=10)
    redis.zadd("ql:q:queue-work", {"jid": 7})
    core("job.setPriority", 1, "jid", 2)
    assert redis.zscore("ql:q:queue-work", "jid") == 7
    assert redis.zscore("ql:q:other-scheduled", "jid") == 10


PRIORITY_ERRORS: list[tuple[tuple[Arg, ...], str]] = [
    ((), "Job(): no jid provided"),
    (("jid",), 'Priority(): Arg "priority" missing or not a number: '),
    (("jid", "high"), 'Priority(): Arg "priority" missing or not a number: high'),
    (("jid", ""), 'Priority(): Arg "priority" missing or not a number: '),
    (("jid", "nan"), 'Priority(): Arg "priority" missing or not a number: nan'),
    (("jid", "inf"), 'Priority(): Arg "priority" missing or not a number: inf'),
    (("jid", "-1e400"), 'Priority(): Arg "priority" missing or not a number: -1e400'),
    (("ghost", 1), "Queue(): no queue name provided"),
]


@pytest.mark.parametrize(("args", "match"), PRIORITY_ERRORS)
def test_set_priority_rejects_malformed_input(
    core: Core, args: tuple[Arg, ...], match: str
) -> None:
    core.put(0, "jid")
    core.fails("job.setPriority", 1, *args, match=match)
