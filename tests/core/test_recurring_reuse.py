"""Child names reused after a template is cancelled and created again.

The original overwrote the old job's fields in place and left it in its old sets
(docs/core-decisions.md); we take it out of them first.
"""

from __future__ import annotations

from redis import Redis

from tests.helpers import Core


def _recur(core: Core, now: float) -> None:
    core("queue.recurAtInterval", now, "queue", "tpl", "klass", "{}", 60, 0, "tags", '["t"]')


def test_a_completed_child_name_is_no_longer_listed_as_completed(core: Core, redis: Redis) -> None:
    _recur(core, 0)
    [child] = core.pop(0)
    core("job.complete", 1, child["jid"], "worker", "queue", "{}")
    assert redis.zrange("ql:completed", 0, -1) == ["tpl-1"]
    core("recurringJob.cancel", 2, "tpl")
    _recur(core, 3)
    [again] = core.pop(3)
    assert again["jid"] == "tpl-1" and again["state"] == "running"
    assert redis.zrange("ql:completed", 0, -1) == []
    # Completed-job expiry must not delete the running child.
    redis.hset("ql:config", "jobs-history-count", "0")
    core.put(4, "other")
    [other] = core.pop(4)
    core("job.complete", 5, other["jid"], "worker", "queue", "{}")
    assert core.job("tpl-1")["state"] == "running"
    assert redis.zrange("ql:t:t", 0, -1) == ["tpl-1"]
    assert redis.zscore("ql:tags", "t") == 1


def test_a_failed_child_name_leaves_its_failure_group(core: Core, redis: Redis) -> None:
    _recur(core, 0)
    [child] = core.pop(0)
    core("job.fail", 1, child["jid"], "worker", "group", "message")
    assert redis.lrange("ql:f:group", 0, -1) == ["tpl-1"]
    core("recurringJob.cancel", 2, "tpl")
    _recur(core, 3)
    assert [job["jid"] for job in core.pop(3)] == ["tpl-1"]
    assert redis.lrange("ql:f:group", 0, -1) == []
    assert redis.smembers("ql:failures") == set()


def test_a_running_child_name_leaves_its_old_worker_and_locks(core: Core, redis: Redis) -> None:
    _recur(core, 0)
    core.pop(0, worker="old")
    core("recurringJob.cancel", 1, "tpl")
    _recur(core, 2)
    [again] = core.pop(2, worker="new")
    assert again["jid"] == "tpl-1" and again["worker"] == "new"
    assert redis.zrange("ql:w:old:jobs", 0, -1) == []
    assert redis.zrange("ql:q:queue-locks", 0, -1) == ["tpl-1"]
