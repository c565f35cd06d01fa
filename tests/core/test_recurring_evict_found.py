"""A recurring child spawned under the name of a live job takes over none of its
throttle slots or dependencies (found by the stateful property test)."""

from __future__ import annotations

from redis import Redis

from tests.core.keyspace import check_invariants, read_keyspace
from tests.helpers import Core


def test_a_spawn_over_a_running_throttled_job_frees_its_slot(core: Core, redis: Redis) -> None:
    core("throttle.set", 0, "t1", 1)
    core.put(0, "r-1", "q2", "throttles", '["t1"]')
    core.put(0, "next", "q2", "throttles", '["t1"]')
    [running] = core.pop(0, "q2", limit=1)
    assert running["jid"] == "r-1"
    assert redis.zrange("ql:th:t1-locks", 0, -1) == ["r-1"]
    core("queue.recurAtInterval", 1, "q1", "r", "K", "{}", 15, 0)
    [child] = core.pop(1, "q1")
    assert child["jid"] == "r-1" and child["throttles"] == ["ql:q:q1"]
    # The old job's slot went with it, and the job waiting for it may run.
    assert redis.zrange("ql:th:t1-locks", 0, -1) == []
    assert [job["jid"] for job in core.pop(2, "q2")] == ["next"]
    assert check_invariants(read_keyspace(redis)) == []


def test_a_spawn_over_a_job_with_dependencies_drops_them(core: Core, redis: Redis) -> None:
    core.put(0, "first", "q1")
    core.put(0, "r-1", "q1", "depends", '["first"]')
    core("queue.recurAtInterval", 1, "q1", "r", "K", "{}", 15, 0)
    popped = [job["jid"] for job in core.pop(1, "q1", limit=5)]
    assert "r-1" in popped
    assert redis.smembers("ql:j:first-dependents") == set()
    assert not redis.exists("ql:j:r-1-dependencies")
    assert check_invariants(read_keyspace(redis)) == []
