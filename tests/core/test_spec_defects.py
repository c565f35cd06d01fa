"""Defects of the specification found by the stateful property test, fixed in
the core and recorded in docs/core-decisions.md.

1. Throttles (docs/concepts.md, Throttles): a job re-put (or moved) while it holds a throttle slot
   kept that slot even when its new throttle list left the throttle out, and
   complete, fail, retry and cancel release only the throttles of the job's
   list: the throttle stayed full for ever. A re-put now releases the slots of
   the throttles its new list drops.
2. job.retry (docs/core-commands.md, job.retry): `job.retry` put the job into the work set of its
`queue`
   argument, unchecked. A retry into another queue left the job listed where
   its record does not say, and a later pop of that queue handed the completed
   job out again. The job now goes back to its own queue (the argument still
   names an exhausted retry's failure group, as specified).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from reqless.client import Client
from reqless.server import LocalServer
from tests.core.keyspace import check_invariants, read_keyspace
from tests.helpers import Core


def test_a_slot_kept_through_a_reput_is_freed_once_the_job_is_gone(
    core: Core, redis: Redis
) -> None:
    core("throttle.set", 0, "t1", 1)
    core.put(0, "a", "q1", "throttles", '["t1"]')
    [running] = core.pop(0, "q1")
    assert running["jid"] == "a"
    core.put(1, "a", "q1")  # re-put without t1: the slot goes at once
    assert redis.zrange("ql:th:t1-locks", 0, -1) == []
    core("job.cancel", 2, "a")
    assert redis.zrange("ql:th:t1-locks", 0, -1) == []


def test_a_reput_that_drops_a_throttle_lets_the_next_job_run(core: Core) -> None:
    core("throttle.set", 0, "t1", 1)
    core.put(0, "a", "q1", "throttles", '["t1"]')
    core.put(1, "b", "q1", "throttles", '["t1"]')
    assert [job["jid"] for job in core.pop(1, "q1", limit=2)] == ["a"]
    core.put(2, "a", "q1", "throttles", "[]")
    assert sorted(job["jid"] for job in core.pop(3, "q1", limit=2)) == ["a", "b"]


def test_a_reput_keeping_its_throttle_keeps_the_slot_as_specified(core: Core, redis: Redis) -> None:
    core("throttle.set", 0, "t1", 1)
    core.put(0, "a", "q1", "throttles", '["t1"]')
    core.pop(0, "q1")
    core.put(1, "a", "q1", "throttles", '["t1"]')
    assert redis.zrange("ql:th:t1-locks", 0, -1) == ["a"]
    assert core.job("a")["state"] == "throttled"


def test_a_move_frees_the_old_queues_slot(core: Core, redis: Redis) -> None:
    core("queue.throttle.set", 0, "q1", 1)
    core.put(0, "a", "q1")
    core.put(1, "b", "q1")
    assert [job["jid"] for job in core.pop(1, "q1", limit=2)] == ["a"]
    core.put(2, "a", "q2")
    assert redis.zrange("ql:th:ql:q:q1-locks", 0, -1) == []
    assert [job["jid"] for job in core.pop(3, "q1")] == ["b"]


def test_a_reput_refused_for_a_bad_maximum_writes_nothing(core: Core, redis: Redis) -> None:
    core.put(0, "a", "q1", "throttles", '["t1"]')
    core.pop(0, "q1")
    redis.hset("ql:th:t1", "maximum", "lots")
    core.fails("queue.put", 1, "worker", "q1", "a", "klass", "{}", 0, match="not a number")


@pytest.fixture
def client(server: LocalServer, redis: Redis) -> Iterator[Client]:
    """A public client of the flushed database."""
    made = Client(server.url, hostname="defects")
    yield made
    made.database.close()


def test_another_clients_reput_does_not_strand_a_throttle(client: Client) -> None:
    client.throttles["t1"].set_maximum(1)
    queue = client.queues["q1"]
    first = queue.put("app.Job", {}, throttles=["t1"])
    queue.put("app.Job", {}, throttles=["t1"])
    job = queue.pop()
    assert job is not None and job.jid == first
    queue.put("app.Job", {}, jid=first, throttles=[], replace=True)  # another client's
    job = queue.pop()
    assert job is not None
    job.complete()
    assert len(queue.pop(2)) == 1


def test_a_retry_into_another_queue_keeps_the_job_where_its_record_says(
    core: Core, redis: Redis
) -> None:
    core.put(0, "a", "q2")
    core.pop(0, "q2", worker="w1")
    assert core("job.retry", 1, "a", "q1", "w1", 0) == 4
    assert check_invariants(read_keyspace(redis)) == []
    assert redis.zcard("ql:q:q1-work") == 0
    assert core.job("a")["state"] == "waiting"


def test_a_job_retried_into_another_queue_is_not_run_again_once_complete(core: Core) -> None:
    core("config.set", 0, "grace-period", 0)
    core.put(0, "a", "q2")
    core.pop(0, "q2", worker="w1")
    core("job.retry", 1, "a", "q1", "w1", 0)
    assert core.pop(2, "q1", worker="w2") == []
    [job] = core.pop(2, "q2", worker="w2")
    assert job["jid"] == "a"
    core("job.complete", 3, "a", "w2", "q2", "{}")
    assert core.pop(200, "q1", worker="w3") == []
    assert core.pop(200, "q2", worker="w3") == []


def test_a_delayed_retry_into_another_queue_is_scheduled_in_its_own(
    core: Core, redis: Redis
) -> None:
    core.put(0, "a", "q2")
    core.pop(0, "q2", worker="w1")
    core("job.retry", 1, "a", "q1", "w1", 10)
    assert redis.zrange("ql:q:q2-scheduled", 0, -1) == ["a"]
    assert redis.zcard("ql:q:q1-scheduled") == 0
