"""Worker bookkeeping by the job commands: ql:workers and ql:w:<worker>:jobs (docs/concepts.md,
Workers)."""

from __future__ import annotations

from typing import cast

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core


def held(redis: Redis, worker: str = "worker") -> list[tuple[str, float]]:
    """The worker's job set with its deadlines."""
    jobs = redis.zrange(f"ql:w:{worker}:jobs", 0, -1, withscores=True)
    return cast(list[tuple[str, float]], jobs)


def registry(redis: Redis) -> list[tuple[str, float]]:
    """ql:workers with each worker's last pop time."""
    return cast(list[tuple[str, float]], redis.zrange("ql:workers", 0, -1, withscores=True))


# -- ql:workers ---------------------------------------------------------------


def test_pop_records_the_worker_even_when_nothing_is_popped(redis: Redis, core: Core) -> None:
    assert core.pop(5, worker="w") == []
    assert registry(redis) == [("w", 5.0)]
    assert core.pop(7, worker="w", limit=0) == []
    assert registry(redis) == [("w", 7.0)]
    # The score is set to `now`, even when `now` went backwards.
    core.pop(3, "other-queue", worker="w")
    assert registry(redis) == [("w", 3.0)]


def test_pop_with_limit_zero_hands_out_nothing(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    assert core("queue.pop", 1, "queue", "w", 0) == "[]"
    assert core.job("jid")["state"] == "waiting"
    assert registry(redis) == [("w", 1.0)]


def test_pop_of_a_paused_queue_records_no_worker(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core("queue.pause", 0, "queue")
    core.pop(1, worker="w")
    assert registry(redis) == []
    core.pop(2, "unpaused", worker="w")
    core.pop(3, worker="w")
    assert registry(redis) == [("w", 2.0)]


def test_only_pop_touches_the_registry(redis: Redis, core: Core) -> None:
    for jid in ("a", "b", "c", "d"):
        core.put(0, jid)
    core.pop(1, worker="w", limit=4)
    core("job.heartbeat", 2, "a", "w")
    core("job.complete", 3, "a", "w", "queue", "{}")
    core("job.fail", 4, "b", "w", "group", "message")
    core("job.retry", 5, "c", "queue", "w")
    core("job.timeout", 6, "d")
    core.put(7, "e", worker="putter")
    core("queue.peek", 8, "queue", 0, 10)
    core("job.cancel", 9, "e")
    assert registry(redis) == [("w", 1.0)]


# -- ql:w:<worker>:jobs ----------------------------------------------------------


def test_hand_out_adds_the_job_with_its_deadline(redis: Redis, core: Core) -> None:
    core.put(0, "a")
    core.put(0, "b", "other")
    core.pop(1, worker="w")
    redis.hset("ql:config", "other-heartbeat", 30)
    core.pop(2, "other", worker="w")
    assert held(redis, "w") == [("b", 32.0), ("a", 61.0)]


def test_heartbeat_moves_the_deadline(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(1, worker="w")
    assert core("job.heartbeat", 30.5, "jid", "w") == 90
    assert held(redis, "w") == [("jid", 90.5)]
    assert redis.zscore("ql:q:queue-locks", "jid") == 90.5


REMOVERS: dict[str, tuple[str, tuple[Arg, ...]]] = {
    "complete": ("job.complete", ("jid", "worker", "queue", "{}")),
    "complete-and-requeue": ("job.completeAndRequeue", ("jid", "worker", "queue", "{}", "next")),
    "fail": ("job.fail", ("jid", "worker", "group", "message")),
    "retry": ("job.retry", ("jid", "queue", "worker")),
    "retry-with-delay": ("job.retry", ("jid", "queue", "worker", 10)),
    "cancel": ("job.cancel", ("jid",)),
    "put-by-the-holder": ("queue.put", ("worker", "queue", "jid", "klass", "{}", 0)),
    "put-by-another": ("queue.put", ("another", "other", "jid", "klass", "{}", 0)),
    "requeue": ("job.requeue", ("another", "queue", "jid", "klass", "{}", 0)),
}


@pytest.mark.parametrize("remover", REMOVERS)
def test_commands_that_take_the_job_from_its_worker(redis: Redis, core: Core, remover: str) -> None:
    core.put(0, "jid")
    core.put(0, "kept")
    core.pop(1, limit=2)
    command, args = REMOVERS[remover]
    core(command, 5, *args)
    assert held(redis) == [("kept", 61.0)]


def test_retry_exhausting_retries_takes_the_job_from_its_worker(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(1)
    assert core("job.retry", 5, "jid", "queue", "worker") == -1
    assert held(redis) == []


def test_a_successful_retry_keeps_the_worker_field(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)
    core("job.retry", 5, "jid", "queue", "worker")
    job = core.job("jid")
    assert (job["state"], job["worker"], job["expires"]) == ("waiting", "worker", 61)
    assert held(redis) == []


def test_timeout_leaves_the_job_in_the_worker_set(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)
    core("job.timeout", 5, "jid")
    assert core.job("jid")["worker"] == ""
    assert held(redis) == [("jid", 61.0)]


def test_the_lock_expiry_warning_takes_the_job_from_its_worker(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)
    assert core.pop(61, worker="another") == []
    assert core.job("jid")["worker"] == "worker"
    assert held(redis) == []
    # A heartbeat during the grace period puts it back.
    core("job.heartbeat", 65, "jid", "worker")
    assert held(redis) == [("jid", 125.0)]


def test_a_reassigned_job_moves_to_the_new_worker(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "grace-period", 0)
    core.put(0, "jid")
    core.pop(1)
    core.pop(61, worker="another")
    assert held(redis) == []
    assert held(redis, "another") == [("jid", 121.0)]
    assert registry(redis) == [("worker", 1.0), ("another", 61.0)]


def test_put_of_a_job_without_a_worker_touches_no_worker_set(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    redis.zadd("ql:w::jobs", {"jid": 1})  # the set an empty worker name would use
    core.put(1, "jid")
    assert held(redis, "") == [("jid", 1.0)]
