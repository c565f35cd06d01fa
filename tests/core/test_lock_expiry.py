"""Lock expiry in queue.pop: warning, grace period, reassignment, exhaustion (docs/concepts.md,
Locks and heartbeats).

Configuration is written straight into `ql:config`, because these tests are about
how pop reads it (docs/configuration.md), not about `config.set`.
"""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from tests.helpers import Core, snapshot

EXHAUSTED = 'Job exhausted retries in queue "queue"'


def configure(redis: Redis, **values: float | str) -> None:
    """Write options into ql:config; `grace_period` stands for `grace-period`."""
    redis.hset("ql:config", mapping={k.replace("_", "-"): v for k, v in values.items()})


def history(core: Core, jid: str = "jid") -> list[dict[str, Any]]:
    """The job's history in read form."""
    entries: list[dict[str, Any]] = core.job(jid)["history"]
    return entries


def without_workers(redis: Redis) -> dict[str, Any]:
    """Every key except the worker registry, which every pop rewrites."""
    state = snapshot(redis)
    state.pop("ql:workers", None)
    return state


@pytest.mark.parametrize("grace", ["0", "-5"])
def test_grace_zero_or_negative_warns_and_reassigns_in_one_pop(
    redis: Redis, core: Core, grace: str
) -> None:
    configure(redis, grace_period=grace)
    core.put(0, "jid")
    [popped] = core.pop(1)
    assert popped["expires"] == 61

    [job] = core.pop(71, worker="another")
    assert job["jid"] == "jid"
    assert (job["state"], job["worker"], job["expires"]) == ("running", "another", 131)
    assert (job["retries"], job["remaining"]) == (5, 4)
    assert job["history"] == [
        {"what": "put", "when": 0, "queue": "queue"},
        {"what": "popped", "when": 1, "worker": "worker"},
        {"what": "timed-out", "when": 71},
        {"what": "popped", "when": 71, "worker": "another"},
    ]
    assert core.job("jid") == job
    assert redis.hget("ql:j:jid", "grace") is None
    assert redis.zrange("ql:q:queue-locks", 0, -1, withscores=True) == [("jid", 131.0)]
    assert redis.zrange("ql:w:worker:jobs", 0, -1) == []
    assert redis.zrange("ql:w:another:jobs", 0, -1, withscores=True) == [("jid", 131.0)]
    assert redis.hgetall("ql:s:stats:0:queue") == {"retries": "1"}
    core.fails("job.heartbeat", 72, "jid", "worker", match="given out to another worker")


@pytest.mark.parametrize(("configured", "grace"), [(None, 10), ("5", 5), ("2.5", 2.5)])
def test_grace_period_needs_a_warning_pop_then_a_reassigning_pop(
    redis: Redis, core: Core, configured: str | None, grace: float
) -> None:
    if configured is not None:
        configure(redis, grace_period=configured)
    core.put(0, "jid")
    core.pop(0)  # expires 60

    # First notice: warn only. The job stays with its holder.
    assert core.pop(70, worker="another") == []
    job = core.job("jid")
    assert (job["state"], job["worker"], job["expires"], job["remaining"]) == (
        "running",
        "worker",
        60,
        5,
    )
    assert job["history"][-1] == {"what": "timed-out", "when": 70}
    assert redis.hget("ql:j:jid", "grace") == "1"
    assert redis.zscore("ql:q:queue-locks", "jid") == 70 + grace
    assert redis.zrange("ql:w:worker:jobs", 0, -1) == []
    assert redis.hgetall("ql:s:stats:0:queue") == {"retries": "1"}

    # Before the grace period ends a pop touches nothing but the worker registry.
    before = without_workers(redis)
    assert core.pop(70 + grace - 0.25, worker="another") == []
    assert without_workers(redis) == before

    # At the end of the grace period the job is reassigned, with no second warning.
    [job] = core.pop(70 + grace, worker="another")
    assert (job["worker"], job["expires"], job["remaining"]) == ("another", 130 + grace, 4)
    assert [entry["what"] for entry in job["history"]] == ["put", "popped", "timed-out", "popped"]
    assert job["history"][-1] == {"what": "popped", "when": int(70 + grace), "worker": "another"}
    assert redis.hget("ql:j:jid", "grace") is None
    assert redis.hgetall("ql:s:stats:0:queue") == {"retries": "1"}

    # The same two steps repeat for every lost lock.
    deadline = 130 + grace
    assert core.pop(deadline + 10, worker="third") == []
    assert core.job("jid")["worker"] == "another"
    [job] = core.pop(deadline + 10 + grace, worker="third")
    assert (job["worker"], job["remaining"]) == ("third", 3)
    assert [entry["what"] for entry in job["history"]].count("timed-out") == 2
    assert redis.hgetall("ql:s:stats:0:queue") == {"retries": "2"}


def test_a_deadline_equal_to_now_counts_as_expired(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(0)
    assert core.pop(59.5, worker="another") == []
    assert redis.hget("ql:j:jid", "grace") is None
    assert core.pop(60, worker="another") == []
    assert redis.hget("ql:j:jid", "grace") == "1"


def test_heartbeat_during_grace_keeps_the_warning(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(0)  # expires 60
    assert core.pop(60, worker="another") == []  # warns; lock extended to 70
    assert core("job.heartbeat", 65, "jid", "worker") == 125
    assert redis.hget("ql:j:jid", "grace") == "1"
    assert redis.zscore("ql:q:queue-locks", "jid") == 125
    assert redis.zrange("ql:w:worker:jobs", 0, -1, withscores=True) == [("jid", 125.0)]

    assert core.pop(124, worker="another") == []
    # The lock expires again: reassigned at once, with no new warning or stat.
    [job] = core.pop(125, worker="another")
    assert (job["worker"], job["remaining"]) == ("another", 4)
    assert [entry["what"] for entry in job["history"]] == ["put", "popped", "timed-out", "popped"]
    assert redis.hgetall("ql:s:stats:0:queue") == {"retries": "1"}


def test_holder_can_complete_during_grace(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(0)
    assert core.pop(60, worker="another") == []
    assert core("job.complete", 65, "jid", "worker", "queue", "{}") == "complete"
    assert core.pop(70, worker="another") == []
    job = core.job("jid")
    assert (job["state"], job["worker"], job["remaining"]) == ("complete", "", 5)
    assert redis.zcard("ql:q:queue-locks") == 0


def test_holder_can_fail_during_grace(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(0)
    assert core.pop(60, worker="another") == []
    assert core("job.fail", 65, "jid", "worker", "group", "message") == "jid"
    assert core.pop(70, worker="another") == []
    job = core.job("jid")
    assert (job["state"], job["remaining"]) == ("failed", 5)
    assert job["failure"] == {
        "group": "group",
        "message": "message",
        "when": 65,
        "worker": "worker",
    }


def test_retry_during_grace_clears_the_warning(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(0)
    assert core.pop(60, worker="another") == []
    assert core("job.retry", 65, "jid", "queue", "worker") == 4
    assert redis.hget("ql:j:jid", "grace") is None
    [job] = core.pop(66, worker="another")
    assert (job["worker"], job["remaining"], job["expires"]) == ("another", 4, 126)
    # The next lost lock is warned about again, because retry deleted `grace`.
    assert core.pop(126, worker="third") == []
    assert [entry["what"] for entry in history(core)].count("timed-out") == 2
    assert core.job("jid")["worker"] == "another"


def test_grace_survives_completion_and_put(redis: Redis, core: Core) -> None:
    # put keeps every field it does not write, `grace` included (docs/core-commands.md,
    # queue.put), so a job completed during its grace period and put again is
    # reassigned on its next lost lock without a warning.
    core.put(0, "jid")
    core.pop(0)
    assert core.pop(60, worker="another") == []
    core("job.complete", 65, "jid", "worker", "queue", "{}")
    core.put(100, "jid")
    assert redis.hget("ql:j:jid", "grace") == "1"
    core.pop(100)  # expires 160
    [job] = core.pop(160, worker="another")
    assert (job["worker"], job["remaining"]) == ("another", 4)
    assert [entry["what"] for entry in job["history"]].count("timed-out") == 1


@pytest.mark.parametrize("grace", [0, 10])
def test_expiry_exhausting_retries_fails_the_job(redis: Redis, core: Core, grace: int) -> None:
    configure(redis, grace_period=grace)
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(1)  # expires 61
    warned_at = 71
    if grace:
        assert core.pop(61, worker="another") == []
        warned_at = 61
    assert core.pop(71.25, worker="another") == []

    job = core.job("jid")
    assert (job["state"], job["worker"], job["expires"], job["queue"]) == ("failed", "", 0, "queue")
    assert (job["retries"], job["remaining"]) == (0, -1)
    assert redis.hget("ql:j:jid", "expires") == ""
    assert redis.hget("ql:j:jid", "grace") is None
    # `when` is the pop's `now`, not floored (lock-expiry row; docs/concepts.md, Retries).
    assert job["failure"] == {
        "group": "failed-retries-queue",
        "message": EXHAUSTED,
        "when": 71.25,
        "worker": "",
    }
    assert job["history"] == [
        {"what": "put", "when": 0, "queue": "queue"},
        {"what": "popped", "when": 1, "worker": "worker"},
        {"what": "timed-out", "when": warned_at},
        {"what": "failed", "when": 71, "group": "failed-retries-queue"},
    ]
    for key in ("ql:q:queue-locks", "ql:q:queue-work", "ql:w:worker:jobs", "ql:w:another:jobs"):
        assert redis.zcard(key) == 0, key
    assert redis.zcard("ql:th:ql:q:queue-locks") == 0
    assert redis.smembers("ql:failures") == {"failed-retries-queue"}
    assert redis.lrange("ql:f:failed-retries-queue", 0, -1) == ["jid"]
    assert core.json("failureGroups.counts", 72) == {"failed-retries-queue": 1}
    assert redis.hgetall("ql:s:stats:0:queue") == {"retries": "1", "failures": "1", "failed": "1"}


def test_exhaustion_stats_use_the_day_of_the_pop(redis: Redis, core: Core) -> None:
    configure(redis, grace_period=0)
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(86_000)  # expires 86 060, on the next day
    assert core.pop(86_500, worker="another") == []
    assert redis.hgetall("ql:s:stats:86400:queue") == {
        "retries": "1",
        "failures": "1",
        "failed": "1",
    }
    assert not redis.exists("ql:s:stats:0:queue")


def test_exhaustion_in_another_queue_than_the_jobs_own(redis: Redis, core: Core) -> None:
    # The specification's job.retry put the job in the work set of its queue
    # *argument* (ours puts it back in its own: core-decisions.md); another
    # client may still do so, and the lock then expires in a queue other than
    # the job's. The history entry names the job's queue while the failure, the
    # failure list and the stats name the popping queue (docs/concepts.md, Locks and heartbeats).
    configure(redis, grace_period=0)
    core.put(0, "jid", "origin", "retries", 1)
    core.pop(0, "origin")
    assert core("job.retry", 1, "jid", "origin", "worker") == 0
    redis.zrem("ql:q:origin-work", "jid")
    redis.zadd("ql:q:elsewhere-work", {"jid": 0})
    [job] = core.pop(2, "elsewhere")
    assert job["queue"] == "origin"
    assert core.pop(100, "elsewhere", worker="another") == []

    job = core.job("jid")
    assert job["state"] == "failed"
    assert job["history"][-1] == {"what": "failed", "when": 100, "group": "failed-retries-origin"}
    assert job["failure"] == {
        "group": "failed-retries-elsewhere",
        "message": 'Job exhausted retries in queue "elsewhere"',
        "when": 100,
        "worker": "",
    }
    assert redis.smembers("ql:failures") == {"failed-retries-elsewhere"}
    assert redis.lrange("ql:f:failed-retries-elsewhere", 0, -1) == ["jid"]
    assert redis.hgetall("ql:s:stats:0:elsewhere") == {
        "retries": "1",
        "failures": "1",
        "failed": "1",
    }
    assert not redis.exists("ql:s:stats:0:origin")


def test_negative_heartbeat_expires_at_once(redis: Redis, core: Core) -> None:
    configure(redis, heartbeat=-10, grace_period=0)
    core.put(0, "jid")
    [job] = core.pop(0)
    assert job["expires"] == -10
    [job] = core.pop(0, worker="another")
    assert (job["worker"], job["retries"], job["remaining"], job["expires"]) == (
        "another",
        5,
        4,
        -10,
    )
    assert job["history"] == [
        {"what": "put", "when": 0, "queue": "queue"},
        {"what": "popped", "when": 0, "worker": "worker"},
        {"what": "timed-out", "when": 0},
        {"what": "popped", "when": 0, "worker": "another"},
    ]


def test_negative_heartbeat_with_grace_warns_at_once(redis: Redis, core: Core) -> None:
    configure(redis, heartbeat=-10)
    core.put(0, "jid")
    core.pop(0)
    assert core.pop(0, worker="another") == []
    assert redis.zscore("ql:q:queue-locks", "jid") == 10
    assert redis.hgetall("ql:s:stats:0:queue") == {"retries": "1"}


@pytest.mark.parametrize("then", ["put", "cancel"])
def test_negative_heartbeat_without_retries_fails_the_job(
    redis: Redis, core: Core, then: str
) -> None:
    configure(redis, heartbeat=-10, grace_period=0)
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(0)
    assert core.pop(0, worker="another") == []
    assert core.job("jid")["state"] == "failed"
    if then == "put":
        core.put(1, "jid")
        assert core.job("jid")["state"] == "waiting"
        assert redis.smembers("ql:failures") == set()
    else:
        assert core("job.cancel", 1, "jid") == ["jid"]
        assert core.job("jid") is None


def test_heartbeat_zero_expires_at_the_pop_time(redis: Redis, core: Core) -> None:
    configure(redis, heartbeat=0, grace_period=0)
    core.put(0, "jid")
    [job] = core.pop(5)
    assert job["expires"] == 5
    assert core.json("queue.jobsByState", 5, "running", "queue") == ["jid"]
    assert core.json("queue.jobsByState", 5, "stalled", "queue") == ["jid"]
    counts = core.json("queue.counts", 5, "queue")
    assert (counts["running"], counts["stalled"]) == (0, 1)
    assert core("job.heartbeat", 5, "jid", "worker") == 5
    [job] = core.pop(5, worker="another")
    assert (job["worker"], job["expires"], job["remaining"]) == ("another", 5, 4)


@pytest.mark.parametrize(("value", "length"), [("0", 0), ("-5", -5), ("12.5", 12.5)])
def test_queue_heartbeat_overrides_the_global_one(
    redis: Redis, core: Core, value: str, length: float
) -> None:
    configure(redis, heartbeat=30, queue_heartbeat=value)
    # `queue-heartbeat` is the override of queue `queue`; configure() mapped the
    # underscore, so the option name is exactly `queue-heartbeat`.
    assert redis.hget("ql:config", "queue-heartbeat") == value
    core.put(0, "jid")
    core.put(0, "other", "other")
    [job] = core.pop(100)
    assert job["expires"] == 100 + length
    [other] = core.pop(100, "other")
    assert other["expires"] == 130
    assert core("job.heartbeat", 200, "jid", "worker") == int(200 + length)
    assert core("job.heartbeat", 200, "other", "worker") == 230


def test_expired_locks_are_taken_by_deadline_then_jid_within_the_limit(
    redis: Redis, core: Core
) -> None:
    configure(redis, grace_period=0)
    for jid in ("b", "d", "a", "c"):
        core.put(0, jid)
    assert len(core.pop(0, limit=4)) == 4  # every deadline is 60
    core("job.heartbeat", -5, "d", "worker")  # d's deadline becomes 55
    core.put(1, "e")

    reassigned = core.pop(100, worker="another", limit=3)
    assert [job["jid"] for job in reassigned] == ["d", "a", "b"]
    assert redis.zscore("ql:q:queue-locks", "c") == 60
    # Reassigned stalled jobs come first, then work jobs.
    assert [job["jid"] for job in core.pop(100, worker="another", limit=2)] == ["c", "e"]
    assert [core.job(jid)["remaining"] for jid in "abcde"] == [4, 4, 4, 4, 5]


def test_warnings_use_up_the_limit(redis: Redis, core: Core) -> None:
    core.put(0, "a")
    core.put(1, "b")
    core.pop(0, limit=2)
    assert core.pop(100, worker="another", limit=1) == []
    assert redis.hget("ql:j:a", "grace") == "1"
    assert redis.hget("ql:j:b", "grace") is None
    assert redis.zscore("ql:q:queue-locks", "b") == 60


def test_pop_with_limit_zero_handles_no_expired_lock(redis: Redis, core: Core) -> None:
    configure(redis, grace_period=0)
    core.put(0, "jid")
    core.pop(0)
    before = without_workers(redis)
    assert core.pop(100, worker="another", limit=0) == []
    assert without_workers(redis) == before


def test_reassigned_job_keeps_its_history_trimmed(redis: Redis, core: Core) -> None:
    configure(redis, grace_period=0, max_job_history=3)
    core.put(0, "jid")
    core.pop(1)
    [job] = core.pop(100, worker="another")
    assert job["history"] == [
        {"what": "put", "when": 0, "queue": "queue"},
        {"what": "timed-out", "when": 100},
        {"what": "popped", "when": 100, "worker": "another"},
    ]
