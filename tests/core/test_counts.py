"""queue.counts: the count object of one queue or of every known queue (docs/core-commands.md,
queue.counts)."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from tests.helpers import Core, snapshot


def zeros(name: str = "queue", **overrides: Any) -> dict[str, Any]:
    """The count object of an empty queue, with some values replaced."""
    counts: dict[str, Any] = {
        "name": name,
        "waiting": 0,
        "stalled": 0,
        "running": 0,
        "throttled": 0,
        "scheduled": 0,
        "depends": 0,
        "recurring": 0,
        "paused": False,
    }
    counts.update(overrides)
    return counts


def counts(core: Core, now: float, queue: str = "queue") -> Any:
    return core.json("queue.counts", now, queue)


@pytest.mark.parametrize("name", ["queue", "", "with space", "a/b", "ql:q:x", "émoji-✓"])
def test_an_unknown_queue_counts_zero_and_writes_nothing(
    redis: Redis, core: Core, name: str
) -> None:
    # queue.counts takes any text as a queue name, so it has no malformed input.
    core.put(0, "elsewhere", "other")
    before = snapshot(redis)
    assert counts(core, 0, name) == zeros(name)
    assert snapshot(redis) == before


def test_a_waiting_job(core: Core) -> None:
    core.put(0, "jid")
    assert counts(core, 0) == zeros(waiting=1)


def test_scheduled_jobs_are_promoted_when_ready(core: Core) -> None:
    core.put(0, "jid", delay=10)
    assert counts(core, 0) == zeros(scheduled=1)
    assert counts(core, 9.5) == zeros(scheduled=1)
    assert core.job("jid")["state"] == "scheduled"
    assert counts(core, 10) == zeros(waiting=1)
    assert core.job("jid")["state"] == "waiting"
    assert counts(core, 20) == zeros(waiting=1)


def test_every_ready_scheduled_job_is_promoted(core: Core) -> None:
    for i in range(30):
        core.put(0, f"jid{i}", delay=1 + i)
    assert counts(core, 100) == zeros(waiting=30)


def test_running_then_stalled(core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)  # expires 61
    assert counts(core, 2) == zeros(running=1)
    assert counts(core, 60.5) == zeros(running=1)
    # A deadline equal to `now` is stalled.
    assert counts(core, 61) == zeros(stalled=1)
    assert counts(core, 100) == zeros(stalled=1)
    # counts only reads locks: nothing is reassigned.
    assert core.job("jid")["worker"] == "worker"


def test_negative_deadlines_count_as_running(redis: Redis, core: Core) -> None:
    # stalled counts deadlines in [0, now] only (docs/core-commands.md, queue.counts).
    redis.hset("ql:config", "heartbeat", -10)
    core.put(0, "jid")
    core.pop(0)
    assert counts(core, 0) == zeros(running=1)
    assert core.json("queue.jobsByState", 0, "stalled", "queue") == ["jid"]


def test_a_full_queue_throttle(redis: Redis, core: Core) -> None:
    redis.hset("ql:th:ql:q:queue", mapping={"id": "ql:q:queue", "maximum": 1})
    core.put(0, "a")
    core.put(1, "b")
    core.pop(2, limit=2)
    assert counts(core, 3) == zeros(running=1, throttled=1)


def test_a_job_and_its_dependent(core: Core) -> None:
    core.put(0, "parent")
    core.put(0, "child", "queue", "depends", '["parent"]')
    assert counts(core, 0) == zeros(waiting=1, depends=1)


def test_a_paused_queue(core: Core) -> None:
    for i in range(10):
        core.put(0, f"jid{i}")
    core("queue.pause", 0, "queue")
    assert counts(core, 0) == zeros(waiting=10, paused=True)


def test_timed_out_and_released_jobs_count_as_waiting(redis: Redis, core: Core) -> None:
    redis.hset("ql:th:tid", mapping={"id": "tid", "maximum": 1})
    core.put(0, "a", "queue", "throttles", '["tid"]')
    core.put(1, "b", "queue", "throttles", '["tid"]')
    core.pop(2, limit=2)
    assert counts(core, 3) == zeros(running=1, throttled=1)
    core("job.timeout", 4, "a")
    # a is back in work (stalled state), b was released to work (throttled state).
    assert [core.job(jid)["state"] for jid in "ab"] == ["stalled", "throttled"]
    assert counts(core, 5) == zeros(waiting=2)


def test_recurring_templates_count_whether_due_or_not(redis: Redis, core: Core) -> None:
    redis.zadd("ql:q:queue-recur", {"due": 0, "future": 1000, "negative": -5})
    before = snapshot(redis)
    assert counts(core, 10) == zeros(recurring=3)
    assert snapshot(redis) == before  # counts never spawns


def test_without_a_name_every_known_queue_is_listed(core: Core) -> None:
    core.put(0, "b1", "b")
    core.put(0, "a1", "a", delay=5)
    core.put(-1, "c1", "c")
    core.put(3, "b2", "b")
    # First-seen time, then name; scheduled jobs of each queue are promoted.
    assert core.json("queue.counts", 10) == [
        zeros("c", waiting=1),
        zeros("a", waiting=1),
        zeros("b", waiting=2),
    ]
    assert core.job("a1")["state"] == "waiting"


def test_without_a_name_and_no_queues_the_reply_is_an_empty_object(
    redis: Redis, core: Core
) -> None:
    assert core("queue.counts", 0) == "{}"
    # Paused or forgotten names are not known queues.
    core("queue.pause", 0, "paused")
    core.put(0, "jid", "forgotten")
    core("queue.forget", 0, "forgotten")
    assert core("queue.counts", 0) == "{}"
    assert counts(core, 0, "forgotten") == zeros("forgotten", waiting=1)


def test_without_a_name_one_queue_is_still_a_list(core: Core) -> None:
    core.put(0, "jid")
    assert core.json("queue.counts", 0) == [zeros(waiting=1)]
