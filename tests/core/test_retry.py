"""job.retry (docs/core-commands.md, job.retry; docs/concepts.md, Retries and Statistics)."""

from __future__ import annotations

import json

import pytest
from redis import Redis

from reqless.core import Arg
from tests.core.test_complete import (
    NOT_RUNNING,
    counters,
    make_job,
    running,
    set_config,
    set_throttle,
    work_score,
)
from tests.helpers import Core, events


def retry(core: Core, now: float, *extra: Arg, jid: str = "jid", queue: str = "queue") -> int:
    """Retry `jid` (held by `worker`) back into `queue`."""
    reply: int = core("job.retry", now, jid, queue, "worker", *extra)
    return reply


# --- retries left -------------------------------------------------------------------


def test_retry_returns_the_remaining_count(core: Core) -> None:
    running(core)
    assert retry(core, 2) == 4
    core.pop(3)
    assert retry(core, 4) == 3
    assert core.job("jid")["remaining"] == 3
    assert core.job("jid")["retries"] == 5


def test_retry_puts_the_job_back_to_work(core: Core, redis: Redis) -> None:
    core.put(0, "jid", "queue", "priority", 4)
    core.pop(1)
    retry(core, 2)
    job = core.job("jid")
    assert job["state"] == "waiting"
    assert redis.zscore("ql:q:queue-work", "jid") == work_score(4, 2)
    assert redis.zscore("ql:q:queue-locks", "jid") is None
    assert redis.zscore("ql:w:worker:jobs", "jid") is None
    assert [popped["jid"] for popped in core.pop(3)] == ["jid"]


def test_retry_leaves_worker_expires_history_and_failure(core: Core, redis: Redis) -> None:
    running(core)
    before = core.job("jid")
    retry(core, 2)
    job = core.job("jid")
    assert job["worker"] == "worker"
    assert job["expires"] == 61
    assert job["history"] == before["history"]
    assert job["failure"] == {}
    assert redis.hexists("ql:j:jid", "failure") is False
    assert redis.hget("ql:j:jid", "time") == "1.00000000000000000000"


def test_retry_publishes_nothing(core: Core, redis: Redis) -> None:
    running(core)
    redis.zadd("ql:tracked", {"jid": 0})
    with events(redis) as capture:
        retry(core, 2)
        assert capture.drain() == []


@pytest.mark.parametrize("delay", [0, -3, "0"])
def test_retry_without_positive_delay_waits(core: Core, delay: Arg) -> None:
    running(core)
    retry(core, 2, delay)
    assert core.job("jid")["state"] == "waiting"


def test_retry_with_delay_schedules(core: Core, redis: Redis) -> None:
    running(core)
    assert retry(core, 2, 10) == 4
    assert core.job("jid")["state"] == "scheduled"
    assert redis.zscore("ql:q:queue-scheduled", "jid") == 12
    assert redis.zscore("ql:q:queue-work", "jid") is None
    assert core.pop(2) == []
    assert core.pop(11.5) == []
    assert [job["jid"] for job in core.pop(12)] == ["jid"]


def test_retry_into_another_queue_goes_back_to_its_own(core: Core, redis: Redis) -> None:
    # The specification puts it into the argument's queue (docs/core-decisions.md).
    running(core)
    retry(core, 2, queue="other")
    job = core.job("jid")
    assert job["queue"] == "queue"
    assert job["state"] == "waiting"
    assert redis.zscore("ql:q:queue-work", "jid") == work_score(0, 2)
    assert redis.zscore("ql:q:other-work", "jid") is None
    assert redis.zscore("ql:q:queue-locks", "jid") is None
    assert redis.zscore("ql:queues", "other") is None


def test_retry_with_group_and_message_sets_the_failure(core: Core, redis: Redis) -> None:
    running(core)
    assert retry(core, 2.5, 0, "group", "message") == 4
    job = core.job("jid")
    assert job["state"] == "waiting"
    assert job["failure"] == {"group": "group", "message": "message", "when": 2, "worker": "worker"}
    assert redis.exists("ql:failures", "ql:f:group") == 0
    assert counters(redis, "queue", 2) == {}


def test_retry_with_group_only_leaves_the_failure(core: Core) -> None:
    running(core)
    retry(core, 2, 0, "group")
    assert core.job("jid")["failure"] == {}


def test_retry_clears_the_grace_flag(core: Core, redis: Redis) -> None:
    running(core)
    assert core.pop(61, "queue", "another") == []
    assert redis.hget("ql:j:jid", "grace") == "1"
    retry(core, 65)
    assert redis.hexists("ql:j:jid", "grace") is False


def test_retry_then_running_commands_fail(core: Core) -> None:
    running(core)
    retry(core, 2)
    message = "not currently running"
    core.fails("job.complete", 3, "jid", "worker", "queue", "{}", match=message)
    core.fails("job.fail", 3, "jid", "worker", "group", "message", match=message)
    core.fails("job.heartbeat", 3, "jid", "worker", match=message)
    core.fails("job.retry", 3, "jid", "queue", "worker", match=message)


def test_retry_releases_throttles_and_competes_by_score(core: Core, redis: Redis) -> None:
    set_throttle(redis, "tid", 1)
    core.put(0, "jid1", "queue", "throttles", '["tid"]')
    core.put(1, "jid2", "queue", "throttles", '["tid"]')
    assert [job["jid"] for job in core.pop(2, limit=2)] == ["jid1"]
    assert redis.zrange("ql:th:tid-pending", 0, -1) == ["jid2"]
    retry(core, 6, jid="jid1")
    assert redis.zrange("ql:th:tid-locks", 0, -1) == []
    assert redis.zrange("ql:th:tid-pending", 0, -1) == []
    assert redis.zscore("ql:q:queue-work", "jid1") == work_score(0, 6)
    assert redis.zscore("ql:q:queue-work", "jid2") == work_score(0, 6)
    # Equal scores pop in reverse jid order: jid2 takes the slot.
    assert [job["jid"] for job in core.pop(7)] == ["jid2"]
    assert core.pop(8) == []
    assert core.job("jid1")["state"] == "throttled"
    assert redis.zrange("ql:th:tid-pending", 0, -1) == ["jid1"]


# --- retries exhausted ----------------------------------------------------------------


def test_retry_exhausted_with_defaults(core: Core, redis: Redis) -> None:
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(0)
    assert retry(core, 0) == -1
    job = core.job("jid")
    assert job["state"] == "failed"
    assert job["failure"] == {
        "group": "failed-retries-queue",
        "message": 'Job exhausted retries in queue "queue"',
        "when": 0,
        "worker": "",
    }
    assert job["history"][-1] == {
        "what": "failed-retries",
        "group": "failed-retries-queue",
        "when": 0,
    }
    assert job["remaining"] == -1
    assert job["retries"] == 0
    assert job["worker"] == ""
    assert job["expires"] == 0
    assert redis.hget("ql:j:jid", "expires") == ""
    assert counters(redis, "queue", 0) == {"failures": "1", "failed": "1"}
    assert redis.smembers("ql:failures") == {"failed-retries-queue"}
    assert redis.lrange("ql:f:failed-retries-queue", 0, -1) == ["jid"]
    for kind in ("work", "locks", "scheduled"):
        assert redis.zscore(f"ql:q:queue-{kind}", "jid") is None
    assert redis.zscore("ql:w:worker:jobs", "jid") is None


def test_retry_exhausted_default_failure_time_is_not_floored(core: Core, redis: Redis) -> None:
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(1)
    retry(core, 3.25)
    assert core.job("jid")["failure"]["when"] == 3.25
    (entry,) = redis.lrange("ql:j:jid-history", -1, -1)
    assert json.loads(entry) == [3, "failed-retries", {"group": "failed-retries-queue"}]


def test_retry_exhausted_with_group_and_message(core: Core) -> None:
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(0)
    assert retry(core, 0.5, 0, "group", "message") == -1
    job = core.job("jid")
    assert job["failure"] == {"group": "group", "message": "message", "when": 0, "worker": "worker"}
    assert job["history"][-1] == {"what": "failed-retries", "group": "group", "when": 0}


def test_retry_exhausted_with_group_only(core: Core, redis: Redis) -> None:
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(0)
    retry(core, 1.5, 0, "group")
    assert core.job("jid")["failure"] == {
        "group": "group",
        "message": 'Job exhausted retries in queue "queue"',
        "when": 1.5,
        "worker": "",
    }
    assert redis.lrange("ql:f:group", 0, -1) == ["jid"]


def test_retry_exhausted_into_another_queue(core: Core, redis: Redis) -> None:
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(0)
    retry(core, 2, queue="other")
    job = core.job("jid")
    # The group and the stats use the queue argument; the message names the job's queue.
    assert job["failure"]["group"] == "failed-retries-other"
    assert job["failure"]["message"] == 'Job exhausted retries in queue "queue"'
    assert job["queue"] == "queue"
    assert counters(redis, "other", 2) == {"failures": "1", "failed": "1"}
    assert counters(redis, "queue", 2) == {}
    assert redis.zscore("ql:q:other-work", "jid") is None


def test_retry_exhausted_ignores_the_delay(core: Core, redis: Redis) -> None:
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(0)
    retry(core, 2, 10)
    assert core.job("jid")["state"] == "failed"
    assert redis.zscore("ql:q:queue-scheduled", "jid") is None


def test_retry_exhausted_publishes_nothing(core: Core, redis: Redis) -> None:
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(0)
    redis.zadd("ql:tracked", {"jid": 0})
    with events(redis) as capture:
        retry(core, 1)
        assert capture.drain() == []


def test_retry_exhausted_releases_throttles(core: Core, redis: Redis) -> None:
    set_throttle(redis, "ql:q:queue", 1)
    core.put(0, "jid", "queue", "retries", 0)
    core.put(1, "next")
    core.pop(2, limit=2)
    retry(core, 3)
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1) == []
    assert redis.zscore("ql:q:queue-work", "next") == work_score(0, 3)


def test_retries_run_out_after_the_budget(core: Core) -> None:
    core.put(0, "jid", "queue", "retries", 2)
    results = []
    for t in range(1, 4):
        core.pop(t)
        results.append(retry(core, t))
    assert results == [1, 0, -1]
    assert core.job("jid")["state"] == "failed"


def test_job_failed_by_retries_can_be_cancelled(core: Core, redis: Redis) -> None:
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(0)
    retry(core, 0)
    assert core("job.cancel", 1, "jid") == ["jid"]
    assert core.job("jid") is None
    assert redis.exists("ql:f:failed-retries-queue", "ql:failures") == 0
    assert counters(redis, "queue", 0) == {"failures": "1", "failed": "0"}


def test_retry_respects_the_history_cap(core: Core, redis: Redis) -> None:
    set_config(redis, "max-job-history", 2)
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(1)
    retry(core, 2)
    # N = 2 trims nothing (docs/concepts.md, States).
    assert [e["what"] for e in core.job("jid")["history"]] == ["put", "popped", "failed-retries"]


# --- validation -----------------------------------------------------------------------


@pytest.mark.parametrize("state", NOT_RUNNING)
def test_retry_rejects_jobs_that_are_not_running(core: Core, state: str) -> None:
    make_job(core, state)
    core.fails(
        "job.retry",
        5,
        "jid",
        "queue",
        "worker",
        match=f"Retry(): Job is not currently running: {state}",
    )


def test_retry_after_reassignment_is_another_worker(core: Core, redis: Redis) -> None:
    set_config(redis, "grace-period", 0)
    running(core)
    core.pop(100, "queue", "another")
    core.fails(
        "job.retry",
        101,
        "jid",
        "queue",
        "worker",
        match="Retry(): Job has been given to another worker: another",
    )


RETRY_MALFORMED: list[tuple[tuple[Arg, ...], str]] = [
    ((), "Job(): no jid provided"),
    (("jid",), 'Retry(): Arg "queue_name" missing'),
    (("jid", "queue"), 'Retry(): Arg "worker" missing'),
    (("jid", "queue", "worker", "soon"), 'Retry(): Arg "delay" not a number: soon'),
    (("jid", "queue", "worker", ""), 'Retry(): Arg "delay" not a number: '),
    (("jid", "queue", "worker", "nan"), 'Retry(): Arg "delay" not a number: nan'),
    (("jid", "queue", "worker", "inf"), 'Retry(): Arg "delay" not a number: inf'),
    (("missing", "queue", "worker", "soon"), 'Retry(): Arg "delay" not a number: soon'),
    (("missing", "queue", "worker"), "Retry(): Job does not exist"),
    (("jid", "queue", "another"), "Retry(): Job has been given to another worker: worker"),
    (("jid", "queue", ""), "Retry(): Job has been given to another worker: worker"),
]


@pytest.mark.parametrize(("args", "message"), RETRY_MALFORMED)
def test_retry_malformed(core: Core, args: tuple[Arg, ...], message: str) -> None:
    running(core)
    core.fails("job.retry", 2, *args, match=message)


def test_retry_does_not_check_the_queue_argument(core: Core) -> None:
    running(core)
    assert retry(core, 2, queue="") == 4
    assert core.job("jid")["queue"] == "queue"
