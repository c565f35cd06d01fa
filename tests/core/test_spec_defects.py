"""Defects of the specification found by the stateful property test, kept as
strict xfails until the specification changes (docs/reliability.md).

1. core-extras §8.4: a job re-put (or moved) while it holds a throttle slot
   keeps that slot, even when its new throttle list leaves the throttle out;
   complete, fail, retry and cancel release only the throttles of the job's
   list. So such a slot is never freed: once the job completes or is
   cancelled, the throttle stays full for ever.
2. core-jobs §8.8: `job.retry` puts the job into the work set of its `queue`
   argument, unchecked, without changing the job's `queue` field. A retry
   into another queue leaves the job listed where its record does not say;
   popped from there, its lock sits in that queue's locks set, which its
   complete (working from the `queue` field) never clears, and a later pop of
   that queue hands the completed job out again.
"""

from __future__ import annotations

import pytest
from redis import Redis

from tests.core.keyspace import check_invariants, read_keyspace
from tests.helpers import Core


@pytest.mark.xfail(strict=True, reason="core-extras §8.4: a re-put job keeps slots it never frees")
def test_a_slot_kept_through_a_reput_is_freed_once_the_job_is_gone(
    core: Core, redis: Redis
) -> None:
    core("throttle.set", 0, "t1", 1)
    core.put(0, "a", "q1", "throttles", '["t1"]')
    [running] = core.pop(0, "q1")
    assert running["jid"] == "a"
    core.put(1, "a", "q1")  # re-put without t1: the slot is kept, as specified
    assert redis.zrange("ql:th:t1-locks", 0, -1) == ["a"]
    core("job.cancel", 2, "a")
    assert redis.zrange("ql:th:t1-locks", 0, -1) == []


@pytest.mark.xfail(strict=True, reason="core-jobs §8.8: retry trusts its queue argument")
def test_a_retry_into_another_queue_keeps_the_job_where_its_record_says(
    core: Core, redis: Redis
) -> None:
    core.put(0, "a", "q2")
    core.pop(0, "q2", worker="w1")
    core("job.retry", 1, "a", "q1", "w1", 0)
    assert check_invariants(read_keyspace(redis)) == []


@pytest.mark.xfail(strict=True, reason="core-jobs §8.8: retry trusts its queue argument")
def test_a_job_retried_into_another_queue_is_not_run_again_once_complete(core: Core) -> None:
    core("config.set", 0, "grace-period", 0)
    core.put(0, "a", "q2")
    core.pop(0, "q2", worker="w1")
    core("job.retry", 1, "a", "q1", "w1", 0)
    core.pop(2, "q1", worker="w2")
    core("job.complete", 3, "a", "w2", "q2", "{}")
    assert core.pop(200, "q1", worker="w3") == []
