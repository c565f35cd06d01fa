"""job.complete and job.completeAndRequeue (docs/core-commands.md, job.complete and
job.completeAndRequeue; docs/concepts.md, Statistics).

This module also holds `make_job`, which the other job-command test modules
import to build a job in any state.
"""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from redis import Redis

from reqless.core import Arg, CoreError
from tests.helpers import Core, events, snapshot

# Every state in which the job commands that need a running job must refuse it.
NOT_RUNNING = ("waiting", "scheduled", "depends", "throttled", "stalled", "failed", "complete")
# The error text of a non-normative error (the JSON decoder's own message).
ANY_ERROR = ""


def make_job(
    core: Core, state: str, jid: str = "jid", queue: str = "queue", worker: str = "worker"
) -> None:
    """Create job `jid` in `queue` in `state`, using times 0 to 2.

    A `running` (and `stalled`, `failed`, `complete`) job was popped at 1 by
    `worker`; `depends` waits for job `dep`; `throttled` waits behind job `holder`
    on the queue's throttle of maximum 1.
    """
    if state == "depends":
        core.put(0, "dep", queue)
        core.put(0, jid, queue, "depends", '["dep"]')
    elif state == "scheduled":
        core.put(0, jid, queue, delay=10)
    elif state == "throttled":
        set_throttle(core.redis, f"ql:q:{queue}", 1)
        core.put(0, "holder", queue)
        core.pop(1, queue, "holder-worker")
        core.put(2, jid, queue)
    else:
        core.put(0, jid, queue)
        if state != "waiting":
            assert [job["jid"] for job in core.pop(1, queue, worker)] == [jid]
        if state == "stalled":
            core("job.timeout", 2, jid)
        elif state == "failed":
            core("job.fail", 2, jid, worker, "group", "message")
        elif state == "complete":
            core("job.complete", 2, jid, worker, queue, "{}")
    assert core.job(jid)["state"] == state


def set_throttle(redis: Redis, tid: str, maximum: int) -> None:
    """Give throttle `tid` a maximum by writing its hash (docs/concepts.md, Throttles)."""
    redis.hset(f"ql:th:{tid}", mapping={"id": tid, "maximum": str(maximum)})


def set_config(redis: Redis, option: str, value: Arg) -> None:
    """Set a configuration option by writing `ql:config` (docs/configuration.md)."""
    redis.hset("ql:config", option, str(value))


def track(redis: Redis, jid: str) -> None:
    """Mark `jid` as tracked by writing `ql:tracked` (docs/concepts.md, Tags and tracking)."""
    redis.zadd("ql:tracked", {jid: 0})


def counters(redis: Redis, queue: str, t: float) -> dict[str, str]:
    """The raw stats counter hash of `queue` for the day bin of `t`."""
    day = int(t - t % 86400)
    return cast(dict[str, str], redis.hgetall(f"ql:s:stats:{day}:{queue}"))


def history(core: Core, jid: str) -> list[dict[str, Any]]:
    """The job's history in read form."""
    result: list[dict[str, Any]] = core.job(jid)["history"]
    return result


def work_score(priority: float, t: float) -> float:
    """The work-set score (docs/concepts.md, Queues)."""
    return priority - t / 10_000_000_000


def running(core: Core, jid: str = "jid", queue: str = "queue", worker: str = "worker") -> None:
    """Put `jid` at 0 and pop it at 1."""
    core.put(0, jid, queue)
    assert [job["jid"] for job in core.pop(1, queue, worker)] == [jid]


# --- job.complete -------------------------------------------------------------------


def test_complete_returns_complete_and_resets_fields(core: Core) -> None:
    core.put(0, "jid", "queue", "retries", 3)
    core.pop(1)
    assert core("job.retry", 2, "jid", "queue", "worker") == 2
    core.pop(3)
    assert core("job.complete", 4, "jid", "worker", "queue", '{"done": true}') == "complete"
    job = core.job("jid")
    assert job["state"] == "complete"
    assert job["queue"] == ""
    assert job["worker"] == ""
    assert job["expires"] == 0
    assert job["failure"] == {}
    assert job["retries"] == 3
    assert job["remaining"] == 3
    assert job["data"] == '{"done": true}'
    assert job["history"][-1] == {"what": "done", "when": 4}


def test_complete_writes_the_raw_fields(core: Core, redis: Redis) -> None:
    running(core)
    core("job.complete", 5, "jid", "worker", "queue", "{}")
    raw = redis.hgetall("ql:j:jid")
    assert raw["state"] == "complete"
    assert raw["queue"] == ""
    assert raw["worker"] == ""
    assert float(raw["expires"]) == 0
    assert raw["failure"] == "{}"
    assert raw["time"] == "5.00000000000000000000"
    assert redis.lrange("ql:j:jid-history", -1, -1) == ['[5,"done"]']


@pytest.mark.parametrize("data", ["[]", '{"a": [],  "b": "x/y"}', '"text"', "5"])
def test_complete_stores_data_verbatim(core: Core, data: str) -> None:
    running(core)
    core("job.complete", 2, "jid", "worker", "queue", data)
    assert core.job("jid")["data"] == data


def test_complete_leaves_every_queue_structure(core: Core, redis: Redis) -> None:
    running(core)
    core("job.complete", 2, "jid", "worker", "queue", "{}")
    for kind in ("work", "locks", "scheduled", "depends", "throttled"):
        assert redis.zscore(f"ql:q:queue-{kind}", "jid") is None
    assert redis.zscore("ql:w:worker:jobs", "jid") is None
    assert redis.zscore("ql:completed", "jid") == 2
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1) == []
    assert core("queue.length", 2, "queue") == 0


def test_complete_clears_an_earlier_failure(core: Core) -> None:
    running(core)
    core("job.fail", 2, "jid", "worker", "group", "message")
    core.put(3, "jid")
    assert core.job("jid")["failure"]["group"] == "group"
    core.pop(4)
    core("job.complete", 5, "jid", "worker", "queue", "{}")
    assert core.job("jid")["failure"] == {}


def test_complete_does_not_check_the_lock_deadline(core: Core) -> None:
    running(core)
    assert core.job("jid")["expires"] == 61
    assert core("job.complete", 1000, "jid", "worker", "queue", "{}") == "complete"


def test_complete_during_the_grace_period(core: Core) -> None:
    running(core)
    assert core.pop(61, "queue", "another") == []  # warns only
    assert core("job.complete", 65, "jid", "worker", "queue", "{}") == "complete"
    assert core.pop(71, "queue", "another") == []


def test_complete_records_a_run_sample_and_resets_time(core: Core, redis: Redis) -> None:
    running(core)
    core("job.complete", 4.5, "jid", "worker", "queue", "{}")
    sample = redis.hgetall("ql:s:run:0:queue")
    assert sample["total"] == "1"
    assert float(sample["mean"]) == 3.5
    assert float(sample["vk"]) == 0
    assert sample["s3"] == "1"
    assert redis.hget("ql:j:jid", "time") == "4.50000000000000000000"


def test_complete_records_run_samples_in_the_bin_of_now(core: Core, redis: Redis) -> None:
    running(core)
    core("job.complete", 86400 * 2 + 5, "jid", "worker", "queue", "{}")
    sample = redis.hgetall(f"ql:s:run:{86400 * 2}:queue")
    assert sample["total"] == "1"
    assert float(sample["mean"]) == 86400 * 2 + 4
    assert sample["d2"] == "1"


def test_complete_publishes_only_the_log_message(core: Core, redis: Redis) -> None:
    running(core)
    with events(redis) as capture:
        core("job.complete", 2, "jid", "worker", "queue", "{}")
        assert capture.drain() == [
            ("ql:log", '{"jid":"jid","event":"completed","queue":"queue"}'),
        ]


def test_complete_of_a_tracked_job(core: Core, redis: Redis) -> None:
    running(core)
    track(redis, "jid")
    with events(redis) as capture:
        core("job.complete", 2, "jid", "worker", "queue", "{}")
        assert capture.drain() == [
            ("ql:completed", "jid"),
            ("ql:log", '{"jid":"jid","event":"completed","queue":"queue"}'),
        ]
    assert core.job("jid")["tracked"] is True


def test_complete_payload_escapes_slashes(core: Core, redis: Redis) -> None:
    running(core, "a/b", "q/1")
    with events(redis) as capture:
        core("job.complete", 2, "a/b", "worker", "q/1", "{}")
        assert capture.drain() == [
            ("ql:log", '{"jid":"a\\/b","event":"completed","queue":"q\\/1"}'),
        ]


def test_complete_releases_the_queue_throttle(core: Core, redis: Redis) -> None:
    set_throttle(redis, "ql:q:queue", 1)
    core.put(0, "jid1")
    core.put(1, "jid2")
    assert [job["jid"] for job in core.pop(2, limit=2)] == ["jid1"]
    assert redis.zrange("ql:th:ql:q:queue-pending", 0, -1) == ["jid2"]
    core("job.complete", 5, "jid1", "worker", "queue", "{}")
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1) == []
    assert redis.zrange("ql:th:ql:q:queue-pending", 0, -1) == []
    assert redis.zrange("ql:q:queue-throttled", 0, -1) == []
    assert redis.zscore("ql:q:queue-work", "jid2") == work_score(0, 5)
    assert core.job("jid2")["state"] == "throttled"
    assert [job["jid"] for job in core.pop(6)] == ["jid2"]


def test_complete_releases_every_throttle_in_the_list(core: Core, redis: Redis) -> None:
    set_throttle(redis, "tid", 1)
    core.put(0, "jid1", "queue", "throttles", '["tid"]')
    core.put(1, "jid2", "queue", "throttles", '["tid"]')
    core.pop(2, limit=2)
    assert redis.zrange("ql:th:tid-locks", 0, -1) == ["jid1"]
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1) == ["jid1"]
    core("job.complete", 5, "jid1", "worker", "queue", "{}")
    assert redis.zrange("ql:th:tid-locks", 0, -1) == []
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1) == []
    assert redis.zrange("ql:th:tid-pending", 0, -1) == []
    assert redis.zscore("ql:q:queue-work", "jid2") == work_score(0, 5)


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("job.complete", ("jid", "worker", "queue", "{}")),
        ("job.completeAndRequeue", ("jid", "worker", "queue", "{}", "next")),
        ("job.fail", ("jid", "worker", "group", "message")),
        ("job.retry", ("jid", "queue", "worker")),
        ("job.timeout", ("jid",)),
        ("job.cancel", ("jid",)),
    ],
)
def test_release_with_a_non_numeric_throttle_maximum_is_atomic(
    core: Core, redis: Redis, command: str, args: tuple[Arg, ...]
) -> None:
    # Every command that releases throttles (docs/concepts.md, Statistics) may refuse a broken
    # maximum,
    # but then it must not have written anything (STYLE: parse, validate, act).
    core.put(0, "jid", "queue", "throttles", '["tid"]')
    core.pop(1)
    core.put(1, "other", "queue", "throttles", '["tid"]')
    assert redis.zrange("ql:th:tid-locks", 0, -1) == ["jid"]
    redis.zadd("ql:th:tid-pending", {"other": 1})
    set_throttle(redis, "tid", 1)
    redis.hset("ql:th:tid", "maximum", "many")
    before = snapshot(redis)
    try:
        core(command, 2, *args)
    except CoreError:
        assert snapshot(redis) == before, f"{command} wrote before failing"


def test_complete_releases_dependents(core: Core, redis: Redis) -> None:
    running(core, "a")
    core.put(0, "b", "queue", "depends", '["a"]', "priority", 2)
    core("job.complete", 5, "a", "worker", "queue", "{}")
    job = core.job("b")
    assert job["state"] == "waiting"
    assert job["dependencies"] == {}
    assert redis.zscore("ql:q:queue-depends", "b") is None
    assert redis.zscore("ql:q:queue-work", "b") == work_score(2, 5)
    assert redis.exists("ql:j:a-dependents") == 0
    assert core.job("a")["dependents"] == {}


@pytest.mark.parametrize(
    ("kind", "value"), [("jobs-history-count", 5), ("jobs-history-count", 0), ("jobs-history", -1)]
)
def test_complete_expires_old_completed_jobs(
    core: Core, redis: Redis, kind: str, value: int
) -> None:
    set_config(redis, kind, value)
    for i in range(10):
        core.put(i, f"job-{i}")
        core.pop(i)
        core("job.complete", i, f"job-{i}", "worker", "queue", "{}")
    kept = [f"job-{i}" for i in range(10 - value, 10)] if kind == "jobs-history-count" else []
    assert redis.zrange("ql:completed", 0, -1) == kept
    for i in range(10):
        exists = f"job-{i}" in kept
        assert (core.job(f"job-{i}") is not None) == exists
        assert redis.exists(f"ql:j:job-{i}-history") == int(exists)


def test_complete_expires_by_age_inclusively(core: Core, redis: Redis) -> None:
    set_config(redis, "jobs-history", 100)
    for jid, t in (("old", 0), ("edge", 50), ("young", 51)):
        core.put(t, jid)
        core.pop(t)
        core("job.complete", t, jid, "worker", "queue", "{}")
    assert redis.zrange("ql:completed", 0, -1) == ["old", "edge", "young"]
    running(core, "last")
    core("job.complete", 150, "last", "worker", "queue", "{}")
    # Scores in [0, 150 - 100] go: `old` at 0 and `edge` at 50.
    assert redis.zrange("ql:completed", 0, -1) == ["young", "last"]
    assert core.job("old") is None
    assert core.job("edge") is None
    assert core.job("young")["state"] == "complete"


def test_complete_expiry_ignores_negative_scores(core: Core, redis: Redis) -> None:
    set_config(redis, "jobs-history", 10)
    core.put(-100, "early")
    core.pop(-100)
    core("job.complete", -100, "early", "worker", "queue", "{}")
    running(core)
    core("job.complete", 50, "jid", "worker", "queue", "{}")
    assert redis.zrange("ql:completed", 0, -1) == ["early", "jid"]
    assert core.job("early") is not None


def test_complete_default_expiry_keeps_a_week(core: Core, redis: Redis) -> None:
    running(core, "a")
    core("job.complete", 2, "a", "worker", "queue", "{}")
    running(core, "b")
    core("job.complete", 604801, "b", "worker", "queue", "{}")
    assert redis.zrange("ql:completed", 0, -1) == ["a", "b"]
    running(core, "c")
    core("job.complete", 604802, "c", "worker", "queue", "{}")
    assert redis.zrange("ql:completed", 0, -1) == ["b", "c"]
    assert core.job("a") is None


@pytest.mark.parametrize("option", ["jobs-history", "jobs-history-count", "max-job-history"])
def test_complete_with_a_non_numeric_config_uses_the_default(
    core: Core, redis: Redis, option: str
) -> None:
    running(core)
    set_config(redis, option, "lots")
    assert core("job.complete", 2, "jid", "worker", "queue", "{}") == "complete"
    assert redis.zscore("ql:completed", "jid") == 2


def test_expired_completed_jobs_leave_their_tags(core: Core, redis: Redis) -> None:
    set_config(redis, "jobs-history-count", 1)
    core.put(0, "a", "queue", "tags", '["foo","bar"]')
    core.put(0, "b", "queue", "tags", '["foo"]')
    core.pop(1, limit=2)
    core("job.complete", 2, "a", "worker", "queue", "{}")
    assert redis.zrange("ql:t:bar", 0, -1) == ["a"]
    core("job.complete", 3, "b", "worker", "queue", "{}")
    assert core.job("a") is None
    assert redis.exists("ql:t:bar") == 0
    assert redis.zscore("ql:tags", "bar") is None
    assert redis.zrange("ql:t:foo", 0, -1) == ["b"]
    assert redis.zscore("ql:tags", "foo") == 1


def test_expired_jobs_keep_their_tracking(core: Core, redis: Redis) -> None:
    set_config(redis, "jobs-history", -1)
    running(core)
    track(redis, "jid")
    core("job.complete", 2, "jid", "worker", "queue", "{}")
    assert core.job("jid") is None
    assert redis.zscore("ql:tracked", "jid") == 0


def test_expired_job_still_releases_its_dependents(core: Core, redis: Redis) -> None:
    set_config(redis, "jobs-history", -1)
    running(core, "a")
    core.put(0, "b", "queue", "depends", '["a"]')
    core("job.complete", 3, "a", "worker", "queue", "{}")
    assert core.job("a") is None
    assert core.job("b")["state"] == "waiting"
    assert redis.exists("ql:j:a-dependents") == 0
    assert redis.zrange("ql:completed", 0, -1) == []


def test_completed_job_can_be_put_again(core: Core, redis: Redis) -> None:
    running(core)
    core("job.complete", 2, "jid", "worker", "queue", "{}")
    core.put(3, "jid", "other")
    assert redis.zscore("ql:completed", "jid") is None
    assert core.job("jid")["state"] == "waiting"


def test_complete_touches_no_worker_registry(core: Core, redis: Redis) -> None:
    running(core)
    core("job.complete", 2, "jid", "worker", "queue", "{}")
    assert redis.zscore("ql:workers", "worker") == 1


@pytest.mark.parametrize("state", NOT_RUNNING)
def test_complete_rejects_jobs_that_are_not_running(core: Core, state: str) -> None:
    make_job(core, state)
    core.fails(
        "job.complete",
        5,
        "jid",
        "worker",
        "queue",
        "{}",
        match=f"Complete(): Job is not currently running: {state}",
    )


def test_complete_after_a_reput_names_the_new_state(core: Core) -> None:
    running(core)
    core.put(2, "jid", "queue", worker="another")
    core.fails(
        "job.complete", 3, "jid", "worker", "queue", "{}", match="not currently running: waiting"
    )


def test_complete_after_reassignment_is_another_worker(core: Core, redis: Redis) -> None:
    set_config(redis, "grace-period", 0)
    running(core)
    assert [job["worker"] for job in core.pop(100, "queue", "another")] == ["another"]
    core.fails(
        "job.complete",
        101,
        "jid",
        "worker",
        "queue",
        "{}",
        match="Complete(): Job has been handed out to another worker: another",
    )


COMPLETE_MALFORMED: list[tuple[tuple[Arg, ...], str]] = [
    ((), "Job(): no jid provided"),
    (("jid",), 'Complete(): Arg "worker" missing'),
    (("jid", "worker"), 'Complete(): Arg "queue_name" missing'),
    (("jid", "worker", "queue"), ANY_ERROR),
    (("jid", "worker", "queue", "{"), ANY_ERROR),
    (("jid", "worker", "queue", "{'a': 1}"), ANY_ERROR),
    (("jid", "worker", "queue", "false"), 'Complete(): Arg "data" missing or not JSON: false'),
    (("missing", "worker", "queue", "false"), 'Arg "data" missing or not JSON: false'),
    (("missing", "worker", "queue", "{}"), "Complete(): Job does not exist"),
    (("", "worker", "queue", "{}"), "Complete(): Job does not exist"),
    (
        ("jid", "another", "queue", "{}"),
        "Complete(): Job has been handed out to another worker: worker",
    ),
    (
        ("jid", "another", "other", "{}"),
        "Complete(): Job has been handed out to another worker: worker",
    ),
    (("jid", "worker", "other", "{}"), "Complete(): Job running in another queue: queue"),
    (("jid", "", "queue", "{}"), "another worker"),
]


@pytest.mark.parametrize(("args", "message"), COMPLETE_MALFORMED)
def test_complete_malformed(core: Core, args: tuple[Arg, ...], message: str) -> None:
    running(core)
    core.fails("job.complete", 2, *args, match=message)


def test_complete_checks_the_state_before_worker_and_queue(core: Core) -> None:
    make_job(core, "waiting")
    core.fails("job.complete", 2, "jid", "nobody", "nowhere", "{}", match="not currently running")


# --- job.completeAndRequeue ------------------------------------------------------------


def advance(core: Core, now: float, *options: Arg, next_queue: str = "foo") -> Any:
    """completeAndRequeue `jid` (held by `worker` in `queue`) into `next_queue`."""
    return core("job.completeAndRequeue", now, "jid", "worker", "queue", "{}", next_queue, *options)


def test_advance_to_waiting(core: Core, redis: Redis) -> None:
    core.put(0, "jid", "queue", "retries", 2, "priority", 3)
    core.pop(1)
    assert advance(core, 2) == "waiting"
    job = core.job("jid")
    assert job["state"] == "waiting"
    assert job["queue"] == "foo"
    assert job["worker"] == ""
    assert job["expires"] == 0
    assert job["failure"] == {}
    assert job["remaining"] == 2
    assert [(h["what"], h["when"]) for h in job["history"]] == [
        ("put", 0),
        ("popped", 1),
        ("done", 2),
        ("put", 2),
    ]
    assert job["history"][-1] == {"what": "put", "when": 2, "queue": "foo"}
    assert redis.zscore("ql:q:foo-work", "jid") == work_score(3, 2)
    assert redis.zscore("ql:q:queue-locks", "jid") is None
    assert redis.zscore("ql:w:worker:jobs", "jid") is None
    assert redis.zscore("ql:completed", "jid") is None
    assert redis.hget("ql:j:jid", "time") == "2.00000000000000000000"
    assert [popped["jid"] for popped in core.pop(3, "foo")] == ["jid"]


def test_advance_resets_remaining_and_failure(core: Core) -> None:
    running(core)
    assert core("job.retry", 2, "jid", "queue", "worker", 0, "group", "message") == 4
    core.pop(3)
    assert core.job("jid")["failure"]["group"] == "group"
    assert advance(core, 4) == "waiting"
    job = core.job("jid")
    assert job["remaining"] == 5
    assert job["failure"] == {}


def test_advance_into_the_same_queue(core: Core, redis: Redis) -> None:
    running(core)
    with events(redis) as capture:
        assert advance(core, 2, next_queue="queue") == "waiting"
        assert capture.drain() == [
            ("ql:log", '{"jid":"jid","to":"queue","event":"advanced","queue":"queue"}'),
        ]
    assert core.job("jid")["queue"] == "queue"
    assert [job["jid"] for job in core.pop(3)] == ["jid"]


def test_advance_of_a_tracked_job(core: Core, redis: Redis) -> None:
    running(core)
    track(redis, "jid")
    with events(redis) as capture:
        advance(core, 2)
        assert capture.drain() == [
            ("ql:completed", "jid"),
            ("ql:log", '{"jid":"jid","to":"foo","event":"advanced","queue":"queue"}'),
        ]


@pytest.mark.parametrize("data", ["[]", '{"x": "a/b"}'])
def test_advance_stores_data_verbatim(core: Core, data: str) -> None:
    running(core)
    core("job.completeAndRequeue", 2, "jid", "worker", "queue", data, "foo")
    assert core.job("jid")["data"] == data


def test_advance_registers_the_next_queue(core: Core, redis: Redis) -> None:
    running(core)
    advance(core, 7)
    assert redis.zscore("ql:queues", "foo") == 7
    core.pop(8, "foo")
    core("job.completeAndRequeue", 9, "jid", "worker", "foo", "{}", "queue")
    assert redis.zscore("ql:queues", "queue") == 0


def test_advanced_queues_seen_together_list_by_name(core: Core) -> None:
    core.put(0, "a")
    core.put(0, "b")
    core.pop(1, limit=2)
    core("job.completeAndRequeue", 2, "b", "worker", "queue", "{}", "zz")
    core("job.completeAndRequeue", 2, "a", "worker", "queue", "{}", "yy")
    names = [counts["name"] for counts in core.json("queue.counts", 3)]
    assert names == ["queue", "yy", "zz"]


def test_next_option_overrides_next_queue(core: Core, redis: Redis) -> None:
    running(core)
    assert advance(core, 2, "next", "bar") == "waiting"
    assert core.job("jid")["queue"] == "bar"
    assert redis.zscore("ql:q:bar-work", "jid") is not None
    assert redis.zscore("ql:q:foo-work", "jid") is None
    assert redis.zscore("ql:queues", "foo") is None


def test_advance_with_delay_schedules_but_stays_waiting(core: Core, redis: Redis) -> None:
    running(core)
    assert advance(core, 2, "delay", 10) == "scheduled"
    assert core.job("jid")["state"] == "waiting"
    assert redis.zscore("ql:q:foo-scheduled", "jid") == 12
    assert redis.zscore("ql:q:foo-work", "jid") is None
    assert core.pop(11, "foo") == []
    assert [job["jid"] for job in core.pop(12, "foo")] == ["jid"]


@pytest.mark.parametrize("delay", [0, -5, "0x0"])
def test_advance_without_positive_delay_waits(core: Core, delay: Arg) -> None:
    running(core)
    assert advance(core, 2, "delay", delay) == "waiting"


def test_advance_with_empty_depends_and_delay_schedules(core: Core) -> None:
    running(core)
    assert advance(core, 2, "delay", 10, "depends", "[]") == "scheduled"


def test_advance_with_open_depends(core: Core, redis: Redis) -> None:
    running(core)
    core.put(0, "b", "other")
    assert advance(core, 2, "depends", '["b"]') == "depends"
    job = core.job("jid")
    assert job["state"] == "depends"
    assert job["dependencies"] == ["b"]
    assert core.job("b")["dependents"] == ["jid"]
    assert redis.zscore("ql:q:foo-depends", "jid") == 2
    assert redis.hget("ql:j:jid", "scheduled") is None
    core.pop(3, "other")
    core("job.complete", 4, "b", "worker", "other", "{}")
    assert core.job("jid")["state"] == "waiting"
    assert redis.zscore("ql:q:foo-work", "jid") == work_score(0, 4)


def test_advance_with_depends_and_delay(core: Core, redis: Redis) -> None:
    running(core)
    core.put(0, "b", "other")
    assert advance(core, 2, "delay", 10, "depends", '["b"]') == "depends"
    assert float(redis.hget("ql:j:jid", "scheduled") or "nan") == 12
    core.pop(3, "other")
    core("job.complete", 4, "b", "worker", "other", "{}")
    assert core.job("jid")["state"] == "scheduled"
    assert redis.zscore("ql:q:foo-scheduled", "jid") == 12
    assert redis.hget("ql:j:jid", "scheduled") is None
    assert core.json("queue.peek", 11, "foo", 0, 10) == []
    assert [job["jid"] for job in core.json("queue.peek", 12, "foo", 0, 10)] == ["jid"]
    assert core.job("jid")["state"] == "waiting"


@pytest.mark.parametrize("depends", ['["done"]', '["missing"]', '["done","missing"]'])
def test_advance_drops_the_delay_when_no_link_is_made(
    core: Core, redis: Redis, depends: str
) -> None:
    make_job(core, "complete", "done")
    running(core)
    assert advance(core, 3, "delay", 10, "depends", depends) == "waiting"
    assert core.job("jid")["state"] == "waiting"
    assert redis.zscore("ql:q:foo-work", "jid") == work_score(0, 3)
    assert redis.zscore("ql:q:foo-scheduled", "jid") is None
    assert redis.exists("ql:j:jid-dependencies") == 0


def test_advance_links_only_open_dependencies(core: Core) -> None:
    make_job(core, "complete", "done")
    core.put(0, "open", "other")
    running(core)
    assert advance(core, 3, "depends", '["done","open","missing"]') == "depends"
    assert core.job("jid")["dependencies"] == ["open"]


def test_advance_refuses_a_dependency_on_itself(core: Core) -> None:
    # A job waiting for itself could never run; queue.put rejects it (lead decision),
    # so completeAndRequeue must not create that link either.
    running(core)
    core.fails(
        "job.completeAndRequeue",
        2,
        "jid",
        "worker",
        "queue",
        "{}",
        "foo",
        "depends",
        '["jid"]',
        match="depends",
    )


def test_advance_keeps_dependents_and_skips_completed_set(core: Core, redis: Redis) -> None:
    running(core)
    core.put(0, "child", "queue", "depends", '["jid"]')
    advance(core, 2)
    assert core.job("child")["state"] == "depends"
    assert core.job("jid")["dependents"] == ["child"]
    assert redis.zrange("ql:completed", 0, -1) == []


def test_advance_never_expires_completed_jobs(core: Core, redis: Redis) -> None:
    make_job(core, "complete", "old")
    set_config(redis, "jobs-history", -1)
    running(core)
    advance(core, 3)
    assert redis.zrange("ql:completed", 0, -1) == ["old"]


def test_advance_trades_the_queue_throttle(core: Core, redis: Redis) -> None:
    # The specification keeps the old list (docs/core-decisions.md).
    core.put(0, "jid", "queue", "throttles", '["tid"]')
    core.pop(1)
    advance(core, 2)
    assert core.job("jid")["throttles"] == ["tid", "ql:q:foo"]
    assert redis.zrange("ql:th:tid-locks", 0, -1) == []
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1) == []
    core.pop(3, "foo")
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1) == []
    assert redis.zrange("ql:th:ql:q:foo-locks", 0, -1) == ["jid"]


def test_advance_releases_throttles(core: Core, redis: Redis) -> None:
    set_throttle(redis, "ql:q:queue", 1)
    core.put(0, "jid")
    core.put(1, "next")
    core.pop(2, limit=2)
    assert redis.zrange("ql:th:ql:q:queue-pending", 0, -1) == ["next"]
    advance(core, 5)
    assert redis.zrange("ql:th:ql:q:queue-pending", 0, -1) == []
    assert redis.zscore("ql:q:queue-work", "next") == work_score(0, 5)


def test_advance_records_the_run_and_the_next_wait(core: Core, redis: Redis) -> None:
    running(core)
    advance(core, 3)
    assert float(redis.hgetall("ql:s:run:0:queue")["mean"]) == 2
    core.pop(10, "foo")
    assert float(redis.hgetall("ql:s:wait:0:foo")["mean"]) == 7


@pytest.mark.parametrize("state", NOT_RUNNING)
def test_advance_rejects_jobs_that_are_not_running(core: Core, state: str) -> None:
    make_job(core, state)
    core.fails(
        "job.completeAndRequeue",
        5,
        "jid",
        "worker",
        "queue",
        "{}",
        "foo",
        match=f"Complete(): Job is not currently running: {state}",
    )


ADVANCE_MALFORMED: list[tuple[tuple[Arg, ...], str]] = [
    ((), "Job(): no jid provided"),
    (("jid",), 'Complete(): Arg "worker" missing'),
    (("jid", "worker"), 'Complete(): Arg "queue_name" missing'),
    (("jid", "worker", "queue"), ANY_ERROR),
    (("jid", "worker", "queue", "{"), ANY_ERROR),
    (("jid", "worker", "queue", "false", "foo"), 'Complete(): Arg "data" missing or not JSON'),
    # A missing next queue is not covered by the spec; it must fail cleanly.
    (("jid", "worker", "queue", "{}"), ANY_ERROR),
    (("jid", "worker", "queue", "{}", "foo", "delay", "soon"), ANY_ERROR),
    (("jid", "worker", "queue", "{}", "foo", "delay", "nan"), ANY_ERROR),
    (("jid", "worker", "queue", "{}", "foo", "delay", "inf"), ANY_ERROR),
    (("jid", "worker", "queue", "{}", "foo", "delay", ""), ANY_ERROR),
    (("jid", "worker", "queue", "{}", "foo", "depends", "["), ANY_ERROR),
    (("jid", "worker", "queue", "{}", "foo", "depends", '"b"'), ANY_ERROR),
    (
        ("jid", "worker", "queue", "{}", "foo", "depends", "false"),
        'Complete(): Arg "depends" not JSON: false',
    ),
    (("jid", "worker", "queue", "{}", "foo", "delay"), "Odd number of additional args"),
    # Options are parsed before the job is looked at.
    (
        ("missing", "worker", "queue", "{}", "foo", "depends", "false"),
        'Complete(): Arg "depends" not JSON: false',
    ),
    (("missing", "worker", "queue", "{}", "foo"), "Complete(): Job does not exist"),
    (
        ("jid", "another", "queue", "{}", "foo"),
        "Complete(): Job has been handed out to another worker: worker",
    ),
    (("jid", "worker", "other", "{}", "foo"), "Complete(): Job running in another queue: queue"),
]


@pytest.mark.parametrize(("args", "message"), ADVANCE_MALFORMED)
def test_advance_malformed(core: Core, args: tuple[Arg, ...], message: str) -> None:
    running(core)
    core.put(0, "b", "other")
    core.fails("job.completeAndRequeue", 2, *args, match=message)


def test_advance_history_entry_is_stored_compactly(core: Core, redis: Redis) -> None:
    running(core)
    advance(core, 2.9)
    assert redis.lrange("ql:j:jid-history", -2, -1) == ['[2,"done"]', '[2,"put",{"queue":"foo"}]']
    assert json.loads(core("job.get", 3, "jid"))["history"][-1]["queue"] == "foo"
