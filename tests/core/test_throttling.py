"""Throttles as seen through put, pop and the commands that release them.

See docs/concepts.md, Throttles, and docs/core-commands.md, queue.pop. Maxima are written
straight into `ql:th:<tid>` and the throttle sets are read with ZRANGE, so these
tests do not depend on the throttle commands.
"""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core


def maximum(redis: Redis, tid: str, n: int) -> None:
    """Set the maximum of throttle `tid` the way throttle.set stores it."""
    redis.hset(f"ql:th:{tid}", mapping={"id": tid, "maximum": n})


def members(redis: Redis, key: str) -> list[str]:
    """Members of a sorted set in ascending score order."""
    return cast(list[str], redis.zrange(key, 0, -1))


def locks(redis: Redis, tid: str) -> list[str]:
    """Jids holding a slot of `tid`."""
    return members(redis, f"ql:th:{tid}-locks")


def pending(redis: Redis, tid: str) -> list[str]:
    """Jids waiting for `tid`, oldest first."""
    return members(redis, f"ql:th:{tid}-pending")


def throttled(redis: Redis, queue: str = "queue") -> list[str]:
    """The queue's throttled set, oldest first."""
    return members(redis, f"ql:q:{queue}-throttled")


def work(redis: Redis, queue: str = "queue") -> list[str]:
    """The work set in pop order (descending score)."""
    return cast(list[str], redis.zrevrange(f"ql:q:{queue}-work", 0, -1))


def jids(jobs: list[Any]) -> list[str]:
    """The jids of decoded job objects."""
    return [job["jid"] for job in jobs]


def put_throttled(core: Core, now: float, jid: str, tids: str, *options: Arg) -> None:
    """Put `jid` into `queue` with the throttle list `tids` (JSON text)."""
    core.put(now, jid, "queue", "throttles", tids, *options)


def whats(core: Core, jid: str) -> list[str]:
    """The `what` of each history entry."""
    return [entry["what"] for entry in core.job(jid)["history"]]


# -- the throttle list written by put ----------------------------------------------


@pytest.mark.parametrize(
    ("supplied", "expected"),
    [
        (None, ["ql:q:q"]),
        ('["tid"]', ["tid", "ql:q:q"]),
        ('["ql:q:q"]', ["ql:q:q", "ql:q:q"]),
        ("[]", ["ql:q:q"]),
    ],
)
def test_a_new_job_gets_its_queue_throttle_appended(
    core: Core, supplied: str | None, expected: list[str]
) -> None:
    options: tuple[Arg, ...] = () if supplied is None else ("throttles", supplied)
    core.put(0, "jid", "q", *options)
    assert core.job("jid")["throttles"] == expected


@pytest.mark.parametrize(
    ("queue", "supplied", "expected"),
    [
        ("q2", None, ["ql:q:q2"]),
        ("q2", '["tid"]', ["tid", "ql:q:q2"]),
        ("q2", '["ql:q:q","tid"]', ["tid", "ql:q:q2"]),
        # The entry after each removed one is skipped, so of two adjacent
        # copies one stays behind.
        ("q2", '["ql:q:q","ql:q:q","tid"]', ["ql:q:q", "tid", "ql:q:q2"]),
        ("q2", '["ql:q:q","x","ql:q:q"]', ["x", "ql:q:q2"]),
        ("q2", '["a","ql:q:q","ql:q:q","ql:q:q"]', ["a", "ql:q:q", "ql:q:q2"]),
        ("q", '["ql:q:q"]', ["ql:q:q"]),
        ("q2", '["ql:q:q2"]', ["ql:q:q2", "ql:q:q2"]),
    ],
)
def test_a_moved_job_loses_its_old_queue_throttle_from_the_supplied_list(
    core: Core, queue: str, supplied: str | None, expected: list[str]
) -> None:
    core.put(0, "jid", "q", "throttles", '["old","ql:q:q"]')
    options: tuple[Arg, ...] = () if supplied is None else ("throttles", supplied)
    core.put(1, "jid", queue, *options)
    assert core.job("jid")["throttles"] == expected


def test_popping_acquires_every_throttle_of_the_list(redis: Redis, core: Core) -> None:
    put_throttled(core, 0, "jid", '["tid"]')
    assert core.job("jid")["throttles"] == ["tid", "ql:q:queue"]
    core.pop(1)
    assert redis.zrange("ql:th:tid-locks", 0, -1, withscores=True) == [("jid", 1.0)]
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1, withscores=True) == [("jid", 1.0)]


def test_a_list_naming_a_throttle_twice_takes_one_slot(redis: Redis, core: Core) -> None:
    maximum(redis, "ql:q:queue", 1)
    put_throttled(core, 0, "jid", '["ql:q:queue"]')
    assert core.job("jid")["throttles"] == ["ql:q:queue", "ql:q:queue"]
    assert jids(core.pop(1)) == ["jid"]
    assert locks(redis, "ql:q:queue") == ["jid"]


# -- throttling at put --------------------------------------------------------


def test_put_into_a_full_throttle_throttles_at_once(redis: Redis, core: Core) -> None:
    maximum(redis, "ql:q:queue", 1)
    core.put(0, "holder")
    core.pop(1)
    core.put(2, "jid")
    job = core.job("jid")
    assert job["state"] == "throttled"
    assert job["history"] == [
        {"what": "put", "when": 2, "queue": "queue"},
        {"what": "throttled", "when": 2, "queue": "queue"},
    ]
    assert redis.zrange("ql:q:queue-throttled", 0, -1, withscores=True) == [("jid", 2.0)]
    assert redis.zrange("ql:th:ql:q:queue-pending", 0, -1, withscores=True) == [("jid", 2.0)]
    assert work(redis) == []
    assert locks(redis, "ql:q:queue") == ["holder"]


@pytest.mark.parametrize("state", ["scheduled", "depends"])
def test_put_checks_throttles_only_for_jobs_going_to_work(
    redis: Redis, core: Core, state: str
) -> None:
    maximum(redis, "ql:q:queue", 1)
    core.put(0, "holder")
    core.pop(1)
    core.put(2, "parent", "other")
    if state == "scheduled":
        core.put(2, "jid", delay=10)
    else:
        core.put(2, "jid", "queue", "depends", '["parent"]')
    assert core.job("jid")["state"] == state
    assert members(redis, f"ql:q:queue-{state}") == ["jid"]
    assert throttled(redis) == []
    assert pending(redis, "ql:q:queue") == []


def test_put_does_not_release_a_slot_the_job_holds(redis: Redis, core: Core) -> None:
    maximum(redis, "tid", 1)
    put_throttled(core, 0, "jid", '["tid"]')
    core.pop(1)
    put_throttled(core, 2, "jid", '["tid"]')
    # The job's own lock makes the throttle full, so it waits for itself.
    assert core.job("jid")["state"] == "throttled"
    assert locks(redis, "tid") == ["jid"]
    assert pending(redis, "tid") == ["jid"]
    assert throttled(redis) == ["jid"]
    assert core.pop(3) == []
    assert whats(core, "jid") == ["put", "popped", "put", "throttled"]


def test_put_does_not_drop_a_pending_entry(redis: Redis, core: Core) -> None:
    maximum(redis, "tid", 1)
    put_throttled(core, 0, "jid1", '["tid"]')
    put_throttled(core, 1, "jid2", '["tid"]')
    core.pop(2, limit=2)
    assert pending(redis, "tid") == ["jid2"]
    core.put(3, "jid2", "other")
    assert core.job("jid2")["state"] == "waiting"
    assert work(redis, "other") == ["jid2"]
    assert throttled(redis) == []
    assert pending(redis, "tid") == ["jid2"]


def test_a_moved_job_frees_the_slot_of_its_old_queue(redis: Redis, core: Core) -> None:
    # The specification keeps the slot, which nothing then frees (core-decisions.md).
    core.put(0, "jid", "q")
    core.pop(1, "q")
    core.put(2, "jid", "q2", "throttles", '["ql:q:q"]')
    assert core.job("jid")["throttles"] == ["ql:q:q2"]
    assert locks(redis, "ql:q:q") == []


# -- throttling at pop --------------------------------------------------------


def test_only_the_first_job_of_a_full_throttle_runs(redis: Redis, core: Core) -> None:
    maximum(redis, "tid", 1)
    for i in range(1, 5):
        put_throttled(core, i - 1, f"jid{i}", '["tid"]')
    assert jids(core.pop(4, limit=4)) == ["jid1"]
    assert locks(redis, "tid") == ["jid1"]
    assert pending(redis, "tid") == ["jid2", "jid3", "jid4"]
    assert throttled(redis) == ["jid2", "jid3", "jid4"]
    assert core.json("queue.jobsByState", 4, "throttled", "queue") == ["jid2", "jid3", "jid4"]
    assert work(redis) == []
    for jid in ("jid2", "jid3", "jid4"):
        job = core.job(jid)
        assert job["state"] == "throttled"
        assert job["history"][-1] == {"what": "throttled", "when": 4, "queue": "queue"}
    assert redis.zscore("ql:th:tid-pending", "jid2") == 4


@pytest.mark.parametrize(
    ("order", "tid_full", "waits_on"),
    [
        ('["tid","wid"]', False, "wid"),
        ('["tid","wid"]', True, "tid"),
        ('["wid","tid"]', True, "wid"),
    ],
)
def test_a_blocked_job_acquires_nothing_and_waits_on_the_first_full_throttle(
    redis: Redis, core: Core, order: str, tid_full: bool, waits_on: str
) -> None:
    maximum(redis, "wid", 1)
    put_throttled(core, 0, "jid1", '["wid"]')
    if tid_full:
        maximum(redis, "tid", 1)
        put_throttled(core, 0, "jid0", '["tid"]')
    put_throttled(core, 1, "jid2", order)
    assert core.job("jid2")["state"] == "waiting"  # nothing was full at put
    core.pop(2, limit=3)
    assert core.job("jid2")["state"] == "throttled"
    assert pending(redis, waits_on) == ["jid2"]
    other = "tid" if waits_on == "wid" else "wid"
    assert pending(redis, other) == []
    assert "jid2" not in locks(redis, "tid") + locks(redis, "wid") + locks(redis, "ql:q:queue")


def test_a_job_throttled_again_gets_no_second_history_entry(redis: Redis, core: Core) -> None:
    maximum(redis, "tid", 1)
    put_throttled(core, 0, "jid1", '["tid"]')
    put_throttled(core, 1, "jid2", '["tid"]')
    core.pop(2, limit=2)
    core("job.complete", 5, "jid1", "worker", "queue", "{}")
    assert work(redis) == ["jid2"]
    put_throttled(core, 6, "jid3", '["tid"]', "priority", 1)
    assert jids(core.pop(7, limit=2)) == ["jid3"]
    assert core.job("jid2")["state"] == "throttled"
    assert whats(core, "jid2") == ["put", "throttled"]
    assert redis.zscore("ql:th:tid-pending", "jid2") == 7
    assert redis.zscore("ql:q:queue-throttled", "jid2") == 7


def test_pop_drops_work_jids_without_a_job(redis: Redis, core: Core) -> None:
    redis.zadd("ql:q:queue-work", {"ghost": 1})
    core.put(0, "jid")
    assert jids(core.pop(1, limit=5)) == ["jid"]
    assert redis.zcard("ql:q:queue-work") == 0
    assert not redis.exists("ql:j:ghost")


# -- release (complete, fail, retry, timeout, cancel) --------------------------

RELEASERS: dict[str, tuple[str, tuple[Arg, ...]]] = {
    "complete": ("job.complete", ("jid1", "worker", "queue", "{}")),
    "complete-and-requeue": ("job.completeAndRequeue", ("jid1", "worker", "queue", "{}", "next")),
    "fail": ("job.fail", ("jid1", "worker", "group", "message")),
    "retry": ("job.retry", ("jid1", "queue", "worker")),
    "timeout": ("job.timeout", ("jid1",)),
    "cancel": ("job.cancel", ("jid1",)),
}


@pytest.mark.parametrize("releaser", RELEASERS)
def test_releasing_the_holder_moves_the_oldest_pending_job_back(
    redis: Redis, core: Core, releaser: str
) -> None:
    maximum(redis, "tid", 1)
    put_throttled(core, 0, "jid1", '["tid"]')
    put_throttled(core, 1, "jid2", '["tid"]')
    put_throttled(core, 2, "jid3", '["tid"]')
    assert jids(core.pop(3, limit=3)) == ["jid1"]
    assert pending(redis, "tid") == ["jid2", "jid3"]
    core("job.setPriority", 4, "jid2", 3)  # only the field: jid2 is not in work

    command, args = RELEASERS[releaser]
    core(command, 5, *args)
    assert locks(redis, "tid") == []
    assert locks(redis, "ql:q:queue") == []
    assert pending(redis, "tid") == ["jid3"]
    assert throttled(redis) == ["jid3"]
    # Back in work at the release time with its own priority; still `throttled`.
    assert redis.zscore("ql:q:queue-work", "jid2") == 3 - 5 / 10_000_000_000
    job = core.job("jid2")
    assert job["state"] == "throttled"
    assert job["history"][-1]["what"] == "throttled"


def test_cancelling_a_pending_job_removes_its_pending_entry(redis: Redis, core: Core) -> None:
    maximum(redis, "tid", 1)
    put_throttled(core, 0, "jid1", '["tid"]')
    put_throttled(core, 1, "jid2", '["tid"]')
    core.pop(2, limit=2)
    core("job.cancel", 3, "jid2")
    assert pending(redis, "tid") == []
    assert throttled(redis) == []
    assert locks(redis, "tid") == ["jid1"]


def test_a_retried_job_competes_with_the_job_it_released(redis: Redis, core: Core) -> None:
    maximum(redis, "tid", 1)
    put_throttled(core, 0, "jid1", '["tid"]')
    put_throttled(core, 1, "jid2", '["tid"]')
    core.pop(2, limit=2)
    assert core("job.retry", 6, "jid1", "queue", "worker") == 4
    # Both entered work at 6 with priority 0: the larger jid pops first.
    assert work(redis) == ["jid2", "jid1"]
    assert jids(core.pop(7, limit=2)) == ["jid2"]
    assert core.job("jid1")["state"] == "throttled"
    assert pending(redis, "tid") == ["jid1"]
    assert locks(redis, "tid") == ["jid2"]


def test_a_timed_out_holder_goes_first_but_its_slot_is_free(redis: Redis, core: Core) -> None:
    maximum(redis, "tid", 1)
    put_throttled(core, 0, "jid1", '["tid"]')
    put_throttled(core, 1, "jid2", '["tid"]')
    core.pop(2, limit=2)
    core("job.timeout", 5, "jid1")
    assert work(redis) == ["jid1", "jid2"]
    assert redis.zscore("ql:q:queue-work", "jid1") == float("inf")
    assert jids(core.pop(6, limit=2)) == ["jid1"]
    assert pending(redis, "tid") == ["jid2"]


def test_an_unlimited_throttle_releases_ten_pending_jobs_at_a_time(
    redis: Redis, core: Core
) -> None:
    maximum(redis, "tid", 1)
    names = [f"jid{i:02}" for i in range(13)]
    for i, jid in enumerate(names):
        put_throttled(core, i, jid, '["tid"]')
    assert jids(core.pop(13, limit=13)) == ["jid00"]
    redis.hdel("ql:th:tid", "maximum")  # now unlimited: 10 free slots per release
    core("job.complete", 20, "jid00", "worker", "queue", "{}")
    assert pending(redis, "tid") == ["jid11", "jid12"]
    assert sorted(work(redis)) == names[1:11]


def test_release_drops_pending_jids_without_a_job(redis: Redis, core: Core) -> None:
    # A decision of this project: the original raised an error here. The
    # stale entry does not use up the free slot either.
    maximum(redis, "tid", 1)
    put_throttled(core, 0, "jid1", '["tid"]')
    put_throttled(core, 1, "jid2", '["tid"]')
    core.pop(2, limit=2)
    redis.zadd("ql:th:tid-pending", {"ghost": 0})
    assert pending(redis, "tid") == ["ghost", "jid2"]
    core("job.complete", 5, "jid1", "worker", "queue", "{}")
    assert pending(redis, "tid") == []
    assert work(redis) == ["jid2"]
    assert throttled(redis) == []
    assert not redis.exists("ql:j:ghost")


def test_a_stale_pending_entry_does_not_put_a_running_job_back_to_work(
    redis: Redis, core: Core
) -> None:
    # jid2 is pending on tid, then moved to another queue and popped there.
    # Releasing tid must not add the running job to a work set as well.
    maximum(redis, "tid", 1)
    put_throttled(core, 0, "jid1", '["tid"]')
    put_throttled(core, 1, "jid2", '["tid"]')
    core.pop(2, limit=2)
    core.put(3, "jid2", "other")
    assert jids(core.pop(4, "other")) == ["jid2"]
    assert pending(redis, "tid") == ["jid2"]
    core("job.complete", 5, "jid1", "worker", "queue", "{}")
    assert pending(redis, "tid") == []
    assert work(redis, "other") == []
    assert work(redis) == []
    assert core.job("jid2")["state"] == "running"


def test_lock_expiry_that_fails_the_job_releases_its_slots(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "grace-period", 0)
    maximum(redis, "tid", 1)
    put_throttled(core, 0, "jid1", '["tid"]', "retries", 0)
    put_throttled(core, 1, "jid2", '["tid"]')
    core.pop(2, limit=2)
    # The expiry frees the slot; the pending job goes back to work and is
    # handed out by the same pop.
    assert jids(core.pop(100, worker="another")) == ["jid2"]
    assert core.job("jid1")["state"] == "failed"
    assert locks(redis, "tid") == ["jid2"]
    assert pending(redis, "tid") == []


def test_lock_expiry_that_reassigns_keeps_the_slots(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "grace-period", 0)
    maximum(redis, "tid", 1)
    put_throttled(core, 0, "jid1", '["tid"]')
    put_throttled(core, 1, "jid2", '["tid"]')
    core.pop(2, limit=2)
    assert jids(core.pop(100, worker="another", limit=2)) == ["jid1"]
    assert locks(redis, "tid") == ["jid1"]
    assert pending(redis, "tid") == ["jid2"]


# -- changing maxima and listing order ---------------------------------------------


def test_raising_the_maximum_releases_several_pending_jobs(redis: Redis, core: Core) -> None:
    maximum(redis, "tid", 1)
    for i in (1, 2, 3):
        put_throttled(core, i, f"jid{i}", '["tid"]')
    assert jids(core.pop(4, limit=3)) == ["jid1"]
    assert core.json("queue.jobsByState", 4, "throttled", "queue") == ["jid2", "jid3"]
    maximum(redis, "tid", 3)
    core("job.complete", 8, "jid1", "worker", "queue", "{}")
    assert pending(redis, "tid") == []
    assert throttled(redis) == []
    # Both returned to work at 8 and tie there: the larger jid goes first.
    popped = core.pop(12, limit=2)
    assert jids(popped) == ["jid3", "jid2"]
    assert [job["expires"] for job in popped] == [72, 72]
    # Listings order ties by jid, ascending.
    assert core.json("queue.jobsByState", 13, "running", "queue") == ["jid2", "jid3"]
    assert locks(redis, "tid") == ["jid2", "jid3"]


def test_lowering_the_maximum_holds_new_jobs_until_enough_finish(redis: Redis, core: Core) -> None:
    def running(now: float) -> Any:
        return core.json("queue.jobsByState", now, "running", "queue")

    maximum(redis, "tid", 3)
    for i in range(1, 6):
        put_throttled(core, i, f"jid{i}", '["tid"]')
    assert jids(core.pop(6, limit=3)) == ["jid1", "jid2", "jid3"]
    assert locks(redis, "tid") == ["jid1", "jid2", "jid3"]
    assert running(6) == ["jid1", "jid2", "jid3"]

    maximum(redis, "tid", 1)
    assert core.pop(10, limit=2) == []
    assert pending(redis, "tid") == ["jid4", "jid5"]
    assert throttled(redis) == ["jid4", "jid5"]
    assert locks(redis, "tid") == ["jid1", "jid2", "jid3"]

    core("job.complete", 15, "jid1", "worker", "queue", "{}")  # free slots -1
    assert locks(redis, "tid") == ["jid2", "jid3"]
    assert pending(redis, "tid") == ["jid4", "jid5"]
    core("job.complete", 20, "jid2", "worker", "queue", "{}")  # free slots 0
    assert locks(redis, "tid") == ["jid3"]
    assert pending(redis, "tid") == ["jid4", "jid5"]
    core("job.complete", 24, "jid3", "worker", "queue", "{}")  # free slots 1
    assert locks(redis, "tid") == []
    assert pending(redis, "tid") == ["jid5"]
    assert throttled(redis) == ["jid5"]
    assert work(redis) == ["jid4"]
    assert running(24) == []

    assert jids(core.pop(25)) == ["jid4"]
    core("job.complete", 26, "jid4", "worker", "queue", "{}")
    assert work(redis) == ["jid5"]
    assert jids(core.pop(27)) == ["jid5"]


def test_dependents_sharing_a_throttle_run_one_after_another(redis: Redis, core: Core) -> None:
    maximum(redis, "tid", 1)
    put_throttled(core, 0, "a", '["tid"]')
    put_throttled(core, 1, "b", '["tid"]', "depends", '["a"]')
    put_throttled(core, 2, "c", '["tid"]', "depends", '["b"]')
    for step, jid in enumerate("abc"):
        assert jids(core.pop(10 + step, limit=3)) == [jid]
        core("job.complete", 10 + step, jid, "worker", "queue", "{}")
    assert pending(redis, "tid") == []


def test_complete_and_requeue_takes_the_next_queues_throttle(redis: Redis, core: Core) -> None:
    # The specification keeps the old list, so the next queue's cap did not
    # apply (core-decisions.md).
    core.put(0, "holder")
    core.put(1, "jid")
    core.pop(2, limit=2)
    maximum(redis, "ql:q:queue", 1)
    maximum(redis, "ql:q:next", 1)
    core("job.completeAndRequeue", 5, "jid", "worker", "queue", "{}", "next")
    assert core.job("jid")["throttles"] == ["ql:q:next"]
    assert locks(redis, "ql:q:queue") == ["holder"]

    # The old queue's full throttle no longer holds the job back; the next one's does.
    assert jids(core.pop(6, "next")) == ["jid"]
    assert locks(redis, "ql:q:next") == ["jid"]
    assert locks(redis, "ql:q:queue") == ["holder"]
    core("job.completeAndRequeue", 7, "holder", "worker", "queue", "{}", "next")
    assert core.pop(8, "next") == []  # the next queue's throttle is full
    core("job.complete", 9, "jid", "worker", "next", "{}")
    assert jids(core.pop(10, "next")) == ["holder"]


# -- the queue's own throttle -------------------------------------------------


def test_queue_maximum_limits_running_jobs(redis: Redis, core: Core) -> None:
    maximum(redis, "ql:q:queue", 5)
    for i in range(10):
        core.put(i, f"jid{i}")
    popped = jids(core.pop(10, limit=10))
    assert popped == [f"jid{i}" for i in range(5)]
    assert pending(redis, "ql:q:queue") == [f"jid{i}" for i in range(5, 10)]
    for step, jid in enumerate(popped):
        core("job.complete", 11 + step, jid, "worker", "queue", "{}")
        assert jids(core.pop(11 + step, limit=10)) == [f"jid{5 + step}"]


def test_a_full_queue_throttle_stops_the_pop_before_promotion_and_scan(
    redis: Redis, core: Core
) -> None:
    core.put(0, "a")
    core.put(0, "b", "queue")
    core.put(0, "later", delay=5)
    assert jids(core.pop(1)) == ["b"]
    maximum(redis, "ql:q:queue", 1)
    assert core.pop(10, limit=5) == []
    assert core.job("a")["state"] == "waiting"
    assert work(redis) == ["a"]
    assert core.job("later")["state"] == "scheduled"
    assert members(redis, "ql:q:queue-scheduled") == ["later"]
    assert throttled(redis) == []


def test_lowering_the_queue_maximum_blocks_pops_until_enough_finish(
    redis: Redis, core: Core
) -> None:
    for i in range(12):
        core.put(i, f"jid{i:02}")
    running = jids(core.pop(12, limit=10))
    maximum(redis, "ql:q:queue", 5)
    for step, jid in enumerate(running[:5]):
        assert core.pop(20 + step, limit=5) == []
        core("job.complete", 20 + step, jid, "worker", "queue", "{}")
    assert core.pop(30, limit=5) == []
    core("job.complete", 31, running[5], "worker", "queue", "{}")
    assert jids(core.pop(32, limit=5)) == ["jid10"]
    assert pending(redis, "ql:q:queue") == ["jid11"]


def test_a_stalled_job_is_reassigned_in_a_full_queue(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "grace-period", 0)
    maximum(redis, "ql:q:queue", 1)
    core.put(0, "a")
    core.put(1, "b")
    assert jids(core.pop(2)) == ["a"]
    [job] = core.pop(100, worker="another", limit=2)
    assert (job["jid"], job["worker"], job["remaining"]) == ("a", "another", 4)
    assert core.job("b")["state"] == "waiting"
    assert work(redis) == ["b"]
    assert locks(redis, "ql:q:queue") == ["a"]


# -- passes over the work set ------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "returned", "waiting"),
    [
        ({}, ["jid1"], ["jid3", "jid4"]),
        ({"max-pop-retry": "1"}, ["jid1"], ["jid3", "jid4"]),
        ({"max-pop-retry": "2"}, ["jid1", "jid3"], ["jid4"]),
        ({"max-pop-retry": "99"}, ["jid1", "jid3"], ["jid4"]),
        ({"max-pop-retry": "1", "queue-max-pop-retry": "2"}, ["jid1", "jid3"], ["jid4"]),
        ({"max-pop-retry": "5", "queue-max-pop-retry": "1"}, ["jid1"], ["jid3", "jid4"]),
        ({"other-max-pop-retry": "5"}, ["jid1"], ["jid3", "jid4"]),
    ],
)
def test_pop_passes(
    redis: Redis, core: Core, config: dict[str, str], returned: list[str], waiting: list[str]
) -> None:
    for option, value in config.items():
        redis.hset("ql:config", option, value)
    maximum(redis, "tid1", 1)
    maximum(redis, "tid2", 1)
    for i, tid in enumerate(["tid1", "tid1", "tid2", "tid2"], start=1):
        put_throttled(core, i, f"jid{i}", json.dumps([tid]))
    assert jids(core.pop(5, limit=2)) == returned
    assert pending(redis, "tid1") == ["jid2"]
    assert jids(core.json("queue.peek", 5, "queue", 0, 10)) == waiting
    assert [core.job(jid)["state"] for jid in waiting] == ["waiting"] * len(waiting)


def test_a_second_pass_takes_only_the_missing_number_of_candidates(
    redis: Redis, core: Core
) -> None:
    redis.hset("ql:config", "max-pop-retry", 2)
    maximum(redis, "tid1", 1)
    maximum(redis, "tid2", 1)
    for i, tid in enumerate(["tid1", "tid1", "tid1", "tid2"], start=1):
        put_throttled(core, i, f"jid{i}", json.dumps([tid]))
    assert jids(core.pop(5, limit=2)) == ["jid1"]
    assert pending(redis, "tid1") == ["jid2", "jid3"]
    assert jids(core.json("queue.peek", 5, "queue", 0, 10)) == ["jid4"]


@pytest.mark.parametrize(
    "config", [{"max-pop-retry": "0"}, {"max-pop-retry": "3", "queue-max-pop-retry": "0"}]
)
def test_no_passes_returns_only_reassigned_jobs(
    redis: Redis, core: Core, config: dict[str, str]
) -> None:
    core.put(0, "stalled")
    core.pop(0)
    redis.hset("ql:config", "grace-period", 0)
    for option, value in config.items():
        redis.hset("ql:config", option, value)
    core.put(1, "waiting")
    core.put(1, "later", delay=5)
    assert jids(core.pop(100, worker="another", limit=5)) == ["stalled"]
    # Promotion still ran; the work set was not scanned.
    assert core.job("later")["state"] == "waiting"
    assert work(redis) == ["waiting", "later"]
    assert core.job("waiting")["state"] == "waiting"
