"""queue.put and job.requeue (reqless/keys.py; docs/concepts.md, States; docs/core-commands.md,
queue.put and job.requeue)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core, events


def put_object(jid: str = "jid", queue: str = "queue", when: int = 0) -> dict[str, Any]:
    """The job object of a job freshly put with default options."""
    return {
        "jid": jid,
        "klass": "klass",
        "state": "waiting",
        "queue": queue,
        "worker": "",
        "tracked": False,
        "priority": 0,
        "expires": 0,
        "retries": 5,
        "remaining": 5,
        "data": "{}",
        "tags": {},
        "history": [{"what": "put", "when": when, "queue": queue}],
        "failure": {},
        "throttles": [f"ql:q:{queue}"],
        "spawned_from_jid": False,
        "dependents": {},
        "dependencies": {},
    }


def test_put_returns_the_jid_and_builds_the_job(core: Core) -> None:
    assert core.put(0, "jid") == "jid"
    assert core.job("jid") == put_object()


def test_put_writes_the_hash_fields(redis: Redis, core: Core) -> None:
    core.put(1.5, "jid")
    assert redis.hgetall("ql:j:jid") == {
        "jid": "jid",
        "klass": "klass",
        "data": "{}",
        "priority": "0",
        "tags": "{}",
        "state": "waiting",
        "worker": "",
        "expires": "0",
        "queue": "queue",
        "retries": "5",
        "remaining": "5",
        "time": "1.50000000000000000000",
        "throttles": '["ql:q:queue"]',
    }


@pytest.mark.parametrize(
    ("now", "text"),
    [
        (0, "0.00000000000000000000"),
        (12, "12.00000000000000000000"),
        (-3.25, "-3.25000000000000000000"),
        (1700000000.5, "1700000000.50000000000000000000"),
    ],
)
def test_time_is_fixed_point_text(redis: Redis, core: Core, now: float, text: str) -> None:
    core.put(now, "jid")
    assert redis.hget("ql:j:jid", "time") == text


def test_put_scores_and_registers(redis: Redis, core: Core) -> None:
    core.put(100, "jid", "queue", "priority", 3)
    assert redis.zscore("ql:q:queue-work", "jid") == 3 - 100 / 10_000_000_000
    assert redis.zrange("ql:queues", 0, -1, withscores=True) == [("queue", 100.0)]
    # A later put leaves the first-seen time alone.
    core.put(200, "other")
    assert redis.zscore("ql:queues", "queue") == 100
    assert redis.lrange("ql:j:jid-history", 0, -1) == ['[100,"put",{"queue":"queue"}]']


def test_put_publishes_the_put_payload(redis: Redis, core: Core) -> None:
    with events(redis) as capture:
        core.put(0, "jid")
        assert capture.drain() == [("ql:log", '{"jid":"jid","event":"put","queue":"queue"}')]


def test_put_of_a_tracked_job_also_notifies(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    redis.zadd("ql:tracked", {"jid": 0})
    with events(redis) as capture:
        core.put(1, "jid")
        assert capture.drain() == [
            ("ql:log", '{"jid":"jid","event":"put","queue":"queue"}'),
            ("ql:put", "jid"),
        ]
    assert core.job("jid")["tracked"] is True


@pytest.mark.parametrize("data", ['{"a": [1, 2], "b": "x/y"}', "[]", "3", '"text"', "{}"])
def test_data_is_stored_verbatim(redis: Redis, core: Core, data: str) -> None:
    core.put(0, "jid", data=data)
    assert redis.hget("ql:j:jid", "data") == data
    assert core.job("jid")["data"] == data


def test_empty_queue_name_is_accepted(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "")
    assert core.job("jid")["queue"] == ""
    assert core.job("jid")["throttles"] == ["ql:q:"]
    assert redis.zrange("ql:q:-work", 0, -1) == ["jid"]


def test_options(redis: Redis, core: Core) -> None:
    core("queue.put", 0, "w", "queue", "a", "klass", "{}", 0, "seq", "1", "dep", "x")
    core.put(
        0,
        "jid",
        "queue",
        "priority",
        "0x10",
        "retries",
        "3",
        "tags",
        '["t1","t2"]',
        "depends",
        '["a"]',
        "throttles",
        '["tid"]',
        "resources",
        "[]",
        "replace",
        "0",
    )
    job = core.job("jid")
    assert job["priority"] == 16
    assert (job["retries"], job["remaining"]) == (3, 3)
    assert job["tags"] == ["t1", "t2"]
    assert job["dependencies"] == ["a"]
    assert job["throttles"] == ["tid", "ql:q:queue"]
    assert job["state"] == "depends"
    assert redis.hget("ql:j:jid", "priority") == "16"
    assert redis.hget("ql:j:jid", "retries") == "3"


def test_a_repeated_option_keeps_the_last_value(core: Core) -> None:
    core.put(0, "jid", "queue", "priority", 1, "priority", 7, "retries", 1, "retries", 2)
    job = core.job("jid")
    assert (job["priority"], job["retries"]) == (7, 2)


def test_fractional_priority(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "queue", "priority", "-1.5")
    assert core.job("jid")["priority"] == -1.5
    assert redis.zscore("ql:q:queue-work", "jid") == -1.5


@pytest.mark.parametrize("delay", [0, -1, -1000, "0", "-0.5", "-0x10", "-1e3"])
def test_nonpositive_delay_means_ready(redis: Redis, core: Core, delay: Arg) -> None:
    core("queue.put", 10, "worker", "queue", "jid", "klass", "{}", delay)
    assert core.job("jid")["state"] == "waiting"
    assert redis.zrange("ql:q:queue-work", 0, -1) == ["jid"]
    assert redis.zcard("ql:q:queue-scheduled") == 0


@pytest.mark.parametrize("delay", [5.5, "5.5", " 55e-1 "])
def test_positive_delay_schedules(redis: Redis, core: Core, delay: Arg) -> None:
    core("queue.put", 10, "worker", "queue", "jid", "klass", "{}", delay)
    assert core.job("jid")["state"] == "scheduled"
    assert redis.zrange("ql:q:queue-scheduled", 0, -1, withscores=True) == [("jid", 15.5)]
    assert redis.zcard("ql:q:queue-work") == 0
    assert redis.hget("ql:j:jid", "scheduled") is None
    assert core("queue.length", 10, "queue") == 1


# --- re-put of an existing job ---------------------------------------------------------


def test_reput_replaces_in_place(core: Core) -> None:
    core.put(0, "jid", "queue", "priority", 4, "retries", 2, "tags", '["t"]', data='{"a":1}')
    core.put(5, "jid", "queue", klass="other", data='{"b":2}')
    job = core.job("jid")
    assert (job["klass"], job["data"]) == ("other", '{"b":2}')
    assert (job["priority"], job["retries"], job["remaining"]) == (4, 2, 2)
    assert job["tags"] == ["t"]
    assert job["history"] == [
        {"what": "put", "when": 0, "queue": "queue"},
        {"what": "put", "when": 5, "queue": "queue"},
    ]


def test_reput_options_override(core: Core) -> None:
    core.put(0, "jid", "queue", "priority", 4, "retries", 2, "tags", '["t"]')
    core.put(5, "jid", "queue", "priority", 1, "retries", 7, "tags", "[]")
    job = core.job("jid")
    assert (job["priority"], job["retries"], job["remaining"], job["tags"]) == (1, 7, 7, {})


def test_reput_resets_remaining(core: Core) -> None:
    core.put(0, "jid", "queue", "retries", 3)
    core.pop(1)
    assert core("job.retry", 2, "jid", "queue", "worker") == 2
    assert core.job("jid")["remaining"] == 2
    core.put(3, "jid")
    job = core.job("jid")
    assert (job["retries"], job["remaining"]) == (3, 3)


def test_reput_keeps_other_fields(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    redis.hset("ql:j:jid", mapping={"spawned_from_jid": "tmpl", "grace": 1, "extra": "x"})
    core.put(1, "jid", "other")
    stored = redis.hgetall("ql:j:jid")
    assert (stored["spawned_from_jid"], stored["grace"], stored["extra"]) == ("tmpl", "1", "x")
    assert core.job("jid")["spawned_from_jid"] == "tmpl"


def test_move_to_another_queue(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "queue", delay=10)
    core.put(1, "jid", "other")
    assert redis.zcard("ql:q:queue-scheduled") == 0
    assert core.pop(20, "queue") == []
    assert core("queue.length", 20, "queue") == 0
    assert [job["jid"] for job in core.pop(20, "other")] == ["jid"]
    assert redis.zrange("ql:queues", 0, -1) == ["queue", "other"]


@pytest.mark.parametrize("kind", ["work", "scheduled", "depends", "locks", "throttled"])
def test_reput_removes_from_every_set_of_the_old_queue(redis: Redis, core: Core, kind: str) -> None:
    core.put(0, "jid")
    redis.zadd(f"ql:q:queue-{kind}", {"jid": 1})
    core.put(1, "jid", "other")
    assert redis.zscore(f"ql:q:queue-{kind}", "jid") is None


def test_reput_of_a_complete_job(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)
    assert core("job.complete", 2, "jid", "worker", "queue", "{}") == "complete"
    assert redis.zrange("ql:completed", 0, -1) == ["jid"]
    core.put(3, "jid", "queue", "throttles", '["ql:q:","t"]')
    assert redis.zcard("ql:completed") == 0
    job = core.job("jid")
    assert (job["state"], job["queue"], job["failure"]) == ("waiting", "queue", {})
    # The previous queue was "": its throttle id is stripped (and the next one kept).
    assert job["throttles"] == ["t", "ql:q:queue"]


def test_reput_of_a_failed_job(redis: Redis, core: Core) -> None:
    core.put(100_000, "jid")
    core.pop(100_001)
    core("job.fail", 100_002, "jid", "worker", "grp", "boom")
    assert redis.hget("ql:s:stats:86400:queue", "failed") == "1"
    assert redis.smembers("ql:failures") == {"grp"}
    core.put(200_000, "jid")
    assert redis.exists("ql:f:grp") == 0
    assert redis.smembers("ql:failures") == set()
    assert redis.hget("ql:s:stats:86400:queue", "failed") == "0"
    job = core.job("jid")
    assert job["state"] == "waiting"
    assert job["failure"] == {
        "group": "grp",
        "message": "boom",
        "when": 100_002,
        "worker": "worker",
    }


def test_reput_of_a_failed_job_counts_against_the_destination(redis: Redis, core: Core) -> None:
    core.put(0, "a")
    core.put(0, "b")
    core.pop(1, limit=2)
    core("job.fail", 100_000, "a", "worker", "grp", "boom")
    core("job.fail", 100_000, "b", "worker", "grp", "boom")
    assert redis.lrange("ql:f:grp", 0, -1) == ["b", "a"]
    core.put(200_000, "a", "elsewhere")
    assert redis.lrange("ql:f:grp", 0, -1) == ["b"]
    assert redis.smembers("ql:failures") == {"grp"}
    assert redis.hget("ql:s:stats:86400:queue", "failed") == "2"
    assert redis.hget("ql:s:stats:86400:elsewhere", "failed") == "-1"


# --- re-put of a running job -------------------------------------------------------------


def test_reput_of_a_running_job_takes_the_lock_away(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)
    with events(redis) as capture:
        core.put(2, "jid", "another", worker="another")
        assert capture.drain() == [
            ("ql:log", '{"jid":"jid","event":"put","queue":"another"}'),
            ("ql:w:worker", '{"jid":"jid","event":"lock_lost","worker":"worker"}'),
            ("ql:log", '{"jid":"jid","event":"lock_lost","worker":"worker"}'),
        ]
    assert redis.zcard("ql:w:worker:jobs") == 0
    assert redis.zcard("ql:q:queue-locks") == 0
    job = core.job("jid")
    assert (job["state"], job["worker"], job["expires"]) == ("waiting", "", 0)
    core.fails("job.heartbeat", 3, "jid", "worker", match="not currently running: waiting")
    core.fails("job.complete", 3, "jid", "worker", "queue", "{}", match="running: waiting")
    core.fails("job.fail", 3, "jid", "worker", "g", "m", match="not currently running: waiting")
    core.fails("job.retry", 3, "jid", "queue", "worker", match="not currently running: waiting")


def test_reput_by_the_holder_sends_no_lock_lost(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)
    with events(redis) as capture:
        core.put(2, "jid")
        assert capture.drain() == [("ql:log", '{"jid":"jid","event":"put","queue":"queue"}')]
    assert redis.zcard("ql:w:worker:jobs") == 0
    assert core.job("jid")["state"] == "waiting"


def test_reput_then_popped_by_another_worker(core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)
    core.put(2, "jid", worker="other")
    assert [job["worker"] for job in core.pop(3, worker="other")] == ["other"]
    core.fails("job.fail", 4, "jid", "worker", "g", "m", match="another worker: other")
    core.fails("job.heartbeat", 4, "jid", "worker", match="another worker: other")


def test_reput_keeps_throttle_slots(redis: Redis, core: Core) -> None:
    redis.hset("ql:th:ql:q:queue", mapping={"id": "ql:q:queue", "maximum": 1})
    core.put(0, "jid")
    core.pop(1)
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1) == ["jid"]
    core.put(2, "jid")
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1) == ["jid"]
    # Its own slot makes the queue throttle full, so the re-put job is throttled.
    assert core.job("jid")["state"] == "throttled"
    assert redis.zrange("ql:th:ql:q:queue-pending", 0, -1) == ["jid"]
    assert core.pop(3) == []


def test_reput_of_a_retried_job_notifies_its_last_worker(redis: Redis, core: Core) -> None:
    # After job.retry the waiting job still names its worker (docs/concepts.md, States).
    core.put(0, "jid")
    core.pop(1)
    core("job.retry", 2, "jid", "queue", "worker")
    assert core.job("jid")["worker"] == "worker"
    with events(redis) as capture:
        core.put(3, "jid", worker="other")
        assert [channel for channel, _ in capture.drain()] == ["ql:log", "ql:w:worker", "ql:log"]
    assert core.job("jid")["worker"] == ""


def test_reput_keeps_pending_throttle_entries(redis: Redis, core: Core) -> None:
    redis.hset("ql:th:tid", mapping={"id": "tid", "maximum": 1})
    redis.zadd("ql:th:tid-locks", {"holder": 1})
    core.put(0, "jid", "queue", "throttles", '["tid"]')
    core.put(1, "jid", "other")
    assert redis.zrange("ql:th:tid-pending", 0, -1) == ["jid"]
    assert redis.exists("ql:q:queue-throttled") == 0
    assert core.job("jid")["state"] == "waiting"


# --- tags --------------------------------------------------------------------------------


def test_tags_are_indexed(redis: Redis, core: Core) -> None:
    core.put(5, "jid", "queue", "tags", '["a","b"]')
    core.put(6, "other", "queue", "tags", '["a"]')
    assert redis.hget("ql:j:jid", "tags") == '["a","b"]'
    assert redis.zrange("ql:t:a", 0, -1, withscores=True) == [("jid", 5), ("other", 6)]
    assert redis.zrange("ql:tags", 0, -1, withscores=True) == [("b", 1), ("a", 2)]


def test_tags_carry_over_and_are_reindexed(redis: Redis, core: Core) -> None:
    core.put(5, "jid", "queue", "tags", '["a","b"]')
    core.put(9, "jid", "other")
    assert core.job("jid")["tags"] == ["a", "b"]
    assert redis.zrange("ql:t:a", 0, -1, withscores=True) == [("jid", 9)]
    assert redis.zrange("ql:tags", 0, -1, withscores=True) == [("a", 1), ("b", 1)]


def test_new_tags_replace_the_old_ones(redis: Redis, core: Core) -> None:
    core.put(5, "jid", "queue", "tags", '["a","b"]')
    core.put(6, "jid", "queue", "tags", '["b","c"]')
    assert redis.exists("ql:t:a") == 0
    assert redis.zrange("ql:tags", 0, -1, withscores=True) == [("b", 1), ("c", 1)]
    core.put(7, "jid", "queue", "tags", "[]")
    assert redis.hget("ql:j:jid", "tags") == "{}"
    assert redis.keys("ql:t*") == []


def test_duplicate_tags_count_once(redis: Redis, core: Core) -> None:
    # Lead decision: ql:tags counts distinct jids, so a repeated tag counts once.
    core.put(5, "jid", "queue", "tags", '["a","a"]')
    assert core.job("jid")["tags"] == ["a", "a"]
    assert redis.zrange("ql:tags", 0, -1, withscores=True) == [("a", 1)]


# --- throttles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ('["tid"]', '["tid"]', ["tid", "ql:q:q2"]),
        ('["tid"]', None, ["ql:q:q2"]),
        ("[]", '["ql:q:q"]', ["ql:q:q2"]),
        ("[]", '["ql:q:q","x"]', ["x", "ql:q:q2"]),
        ("[]", '["ql:q:q","ql:q:q"]', ["ql:q:q", "ql:q:q2"]),
        ("[]", '["ql:q:q","a","ql:q:q"]', ["a", "ql:q:q2"]),
        ("[]", '["x","ql:q:q","ql:q:q","ql:q:q"]', ["x", "ql:q:q", "ql:q:q2"]),
    ],
)
def test_throttle_list_on_move(
    core: Core, first: str, second: str | None, expected: list[str]
) -> None:
    core.put(0, "jid", "q", "throttles", first)
    options: tuple[Arg, ...] = () if second is None else ("throttles", second)
    core.put(1, "jid", "q2", *options)
    assert core.job("jid")["throttles"] == expected


def test_throttle_list_of_a_new_job(core: Core) -> None:
    core.put(0, "a", "q", "throttles", '["tid"]')
    core.put(0, "b", "q", "throttles", '["ql:q:q"]')
    assert core.job("a")["throttles"] == ["tid", "ql:q:q"]
    assert core.job("b")["throttles"] == ["ql:q:q", "ql:q:q"]


def test_reput_into_the_same_queue_strips_its_id(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "q")
    core.put(1, "jid", "q", "throttles", '["ql:q:q"]')
    assert redis.hget("ql:j:jid", "throttles") == '["ql:q:q"]'


def test_put_into_a_full_queue_throttle(redis: Redis, core: Core) -> None:
    redis.hset("ql:th:ql:q:queue", mapping={"id": "ql:q:queue", "maximum": 1})
    core.put(0, "a")
    core.pop(1)
    core.put(2, "b")
    job = core.job("b")
    assert job["state"] == "throttled"
    assert job["history"] == [
        {"what": "put", "when": 2, "queue": "queue"},
        {"what": "throttled", "when": 2, "queue": "queue"},
    ]
    assert redis.zrange("ql:q:queue-throttled", 0, -1, withscores=True) == [("b", 2)]
    assert redis.zrange("ql:th:ql:q:queue-pending", 0, -1, withscores=True) == [("b", 2)]
    assert redis.zcard("ql:q:queue-work") == 0
    assert core("queue.length", 2, "queue") == 1


def test_put_is_pending_on_the_first_full_throttle_only(redis: Redis, core: Core) -> None:
    for tid in ("t1", "t2"):
        redis.hset(f"ql:th:{tid}", mapping={"id": tid, "maximum": 1})
        redis.zadd(f"ql:th:{tid}-locks", {"holder": 1})
    core.put(3, "jid", "queue", "throttles", '["free","t2","t1"]')
    assert redis.zrange("ql:th:t2-pending", 0, -1) == ["jid"]
    assert redis.exists("ql:th:t1-pending", "ql:th:free-pending") == 0
    assert redis.zrange("ql:th:t2-locks", 0, -1) == ["holder"]


def test_a_throttled_job_reput_is_throttled_afresh(redis: Redis, core: Core) -> None:
    redis.hset("ql:th:tid", mapping={"id": "tid", "maximum": 1})
    redis.zadd("ql:th:tid-locks", {"holder": 1})
    core.put(0, "jid", "queue", "throttles", '["tid"]')
    # The hash is rewritten with state waiting before the check, so a re-put
    # is throttled afresh (and gets a new entry).
    core.put(1, "jid", "queue", "throttles", '["tid"]')
    whats = [entry["what"] for entry in core.job("jid")["history"]]
    assert whats == ["put", "throttled", "put", "throttled"]


def test_scheduled_or_depends_put_skips_the_throttle_check(redis: Redis, core: Core) -> None:
    redis.hset("ql:th:tid", mapping={"id": "tid", "maximum": 1})
    redis.zadd("ql:th:tid-locks", {"holder": 1})
    core.put(0, "a", "queue", "throttles", '["tid"]', delay=5)
    assert core.job("a")["state"] == "scheduled"
    assert redis.exists("ql:th:tid-pending") == 0


# --- dependencies ------------------------------------------------------------------------


def test_depends_on_a_waiting_job(redis: Redis, core: Core) -> None:
    core.put(0, "a")
    core.put(1, "b", "queue", "depends", '["a"]')
    assert core.job("b")["state"] == "depends"
    assert core.job("b")["dependencies"] == ["a"]
    assert core.job("a")["dependents"] == ["b"]
    assert redis.zrange("ql:q:queue-depends", 0, -1, withscores=True) == [("b", 1)]
    assert redis.zrange("ql:q:queue-work", 0, -1) == ["a"]
    assert core("queue.length", 1, "queue") == 1


def test_missing_or_complete_dependencies_are_ignored(redis: Redis, core: Core) -> None:
    core.put(0, "done")
    core.pop(1)
    core("job.complete", 2, "done", "worker", "queue", "{}")
    core.put(3, "b", "queue", "depends", '["done","ghost"]')
    job = core.job("b")
    assert (job["state"], job["dependencies"]) == ("waiting", {})
    assert redis.exists("ql:j:done-dependents", "ql:j:ghost-dependents") == 0


def test_depends_with_delay_remembers_the_time(redis: Redis, core: Core) -> None:
    core.put(0, "a")
    core.put(10, "b", "queue", "depends", '["a"]', delay=5)
    assert core.job("b")["state"] == "depends"
    assert redis.hget("ql:j:b", "scheduled") == "15"
    assert redis.zcard("ql:q:queue-scheduled") == 0
    core.pop(11)
    core("job.complete", 12, "a", "worker", "queue", "{}")
    assert core.job("b")["state"] == "scheduled"
    assert redis.zrange("ql:q:queue-scheduled", 0, -1, withscores=True) == [("b", 15)]
    assert redis.hget("ql:j:b", "scheduled") is None


def test_depends_with_delay_already_satisfied(redis: Redis, core: Core) -> None:
    core.put(10, "b", "queue", "depends", '["ghost"]', delay=5)
    assert core.job("b")["state"] == "scheduled"
    assert redis.hget("ql:j:b", "scheduled") is None
    assert redis.zscore("ql:q:queue-scheduled", "b") == 15


def test_reput_without_depends_keeps_them(redis: Redis, core: Core) -> None:
    core.put(0, "a")
    core.put(1, "b", "queue", "depends", '["a"]')
    core.put(2, "b", "other")
    core.put(3, "b", "other", "depends", "[]")
    assert core.job("b")["state"] == "depends"
    assert core.job("b")["dependencies"] == ["a"]
    assert redis.zrange("ql:q:other-depends", 0, -1) == ["b"]
    assert redis.exists("ql:q:queue-depends") == 0


def test_reput_with_depends_replaces_them(redis: Redis, core: Core) -> None:
    core.put(0, "a")
    core.put(0, "c")
    core.put(1, "b", "queue", "depends", '["a"]')
    core.put(2, "b", "queue", "depends", '["c"]')
    assert core.job("b")["dependencies"] == ["c"]
    assert core.job("a")["dependents"] == {}
    assert core.job("c")["dependents"] == ["b"]
    # Replacing with only dependencies that are gone leaves the job free.
    core.put(3, "b", "queue", "depends", '["ghost"]')
    assert (core.job("b")["state"], core.job("b")["dependencies"]) == ("waiting", {})
    assert redis.exists("ql:j:c-dependents") == 0


def test_reput_without_delay_keeps_the_scheduled_field(redis: Redis, core: Core) -> None:
    core.put(0, "a")
    core.put(10, "b", "queue", "depends", '["a"]', delay=5)
    core.put(11, "b")
    assert core.job("b")["state"] == "depends"
    assert redis.hget("ql:j:b", "scheduled") == "15"
    core.pop(12)
    core("job.complete", 13, "a", "worker", "queue", "{}")
    assert core.job("b")["state"] == "scheduled"
    assert redis.zscore("ql:q:queue-scheduled", "b") == 15


# --- malformed input ---------------------------------------------------------------------

PUT_ERRORS: list[tuple[tuple[Arg, ...], str]] = [
    ((), "Queue(): no queue name provided"),
    (("w",), "Queue(): no queue name provided"),
    (("w", "q"), 'Put(): Arg "jid" missing'),
    (("w", "q", "jid"), 'Put(): Arg "klass" missing'),
    (("w", "q", "jid", "k"), 'Put(): Arg "data" missing or not JSON'),
    (("w", "q", "jid", "k", "{"), 'Put(): Arg "data"'),
    (("w", "q", "jid", "k", "false"), 'Put(): Arg "data" missing or not JSON: false'),
    (("w", "q", "jid", "k", "{}"), 'Put(): Arg "delay" not a number: '),
    (("w", "q", "jid", "k", "{}", "soon"), 'Put(): Arg "delay" not a number: soon'),
    (("w", "q", "jid", "k", "{}", "nan"), 'Put(): Arg "delay" not a number: nan'),
    (("w", "q", "jid", "k", "nope", "x"), 'Put(): Arg "data" missing or not JSON: nope'),
    (("w", "q", "jid", "k", "{}", 0, "retries"), "Odd number of additional args: retries"),
    (("w", "q", "jid", "k", "{}", 0, "tags", "[]", "x"), "Odd number of additional args: "),
    (("w", "q", "jid", "k", "{}", 0, "retries", "x"), 'Put(): Arg "retries" not a number: x'),
    (("w", "q", "jid", "k", "{}", 0, "tags", "false"), 'Put(): Arg "tags" not JSONfalse'),
    (("w", "q", "jid", "k", "{}", 0, "tags", "[1,"), ""),
    (("w", "q", "jid", "k", "{}", 0, "priority", "hi"), 'Put(): Arg "priority" not a numberhi'),
    (("w", "q", "jid", "k", "{}", 0, "priority", "nan"), 'Arg "priority" not a numbernan'),
    (("w", "q", "jid", "k", "{}", 0, "depends", "false"), 'Put(): Arg "depends" not JSON: '),
    (("w", "q", "jid", "k", "{}", 0, "depends", "[x"), ""),
    (("w", "q", "jid", "k", "{}", 0, "depends", '["jid"]'), 'Put(): Arg "depends"'),
    (("w", "q", "jid", "k", "{}", 0, "throttles", "false"), 'Arg "throttles" not JSON array'),
    (("w", "q", "jid", "k", "{}", 0, "throttles", '"tid"'), 'Arg "throttles" not JSON array'),
    (("w", "q", "jid", "k", "{}", 0, "throttles", "{"), ""),
    # Issue 8.1: stored numbers must be finite (an infinity poisons every reply).
    (("w", "q", "jid", "k", "{}", "inf"), 'Put(): Arg "delay" not a number: inf'),
    (("w", "q", "jid", "k", "{}", "-inf"), 'Put(): Arg "delay" not a number: -inf'),
    (("w", "q", "jid", "k", "{}", 0, "priority", "inf"), 'Arg "priority" not a numberinf'),
    (("w", "q", "jid", "k", "{}", 0, "priority", "-inf"), 'Arg "priority" not a number-inf'),
    (("w", "q", "jid", "k", "{}", 0, "priority", "1e400"), 'Arg "priority" not a number1e400'),
    (("w", "q", "jid", "k", "{}", 0, "retries", "inf"), 'Put(): Arg "retries" not a number: inf'),
    # A bad option after a good one: still nothing is written.
    (("w", "q", "jid", "k", "{}", 0, "tags", '["z"]', "retries", "x"), 'Arg "retries"'),
]


@pytest.mark.parametrize(("args", "match"), PUT_ERRORS)
def test_put_rejects_malformed_input(core: Core, args: tuple[Arg, ...], match: str) -> None:
    # An existing tagged, running job proves that no tag index (or anything else)
    # is touched before validation is complete.
    core.put(0, "jid", "queue", "tags", '["a","b"]')
    core.pop(1)
    core.fails("queue.put", 2, *args, match=match)


def test_put_rejects_malformed_input_for_a_new_job(core: Core) -> None:
    core.fails("queue.put", 0, "w", "q", "jid", "k", "{}", 0, "priority", "x", match="priority")
    core.fails("queue.put", 0, "w", "q", "jid", "k", "{}", 0, "retries", match="Odd number")


# --- job.requeue -------------------------------------------------------------------------


def test_requeue_moves_an_existing_job(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "queue", "priority", 2, "tags", '["t"]', "retries", 3)
    before = core.job("jid")
    assert (
        core("job.requeue", 0, "worker", "queue-2", "jid", "klass", "{}", 0, "throttles", '["tid"]')
        == "jid"
    )
    after = core.job("jid")
    assert after["queue"] == "queue-2"
    assert after["throttles"] == ["tid", "ql:q:queue-2"]
    assert after["history"] == before["history"] + [{"what": "put", "when": 0, "queue": "queue-2"}]
    for field in ("queue", "throttles", "history"):
        del before[field], after[field]
    assert after == before
    assert redis.zrange("ql:q:queue-2-work", 0, -1) == ["jid"]
    assert redis.exists("ql:q:queue-work") == 0


def test_requeue_has_the_effects_of_put(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)
    with events(redis) as capture:
        core("job.requeue", 2, "other", "queue", "jid", "klass", "{}", 5)
        assert [channel for channel, _ in capture.drain()] == ["ql:log", "ql:w:worker", "ql:log"]
    assert core.job("jid")["state"] == "scheduled"
    assert redis.zscore("ql:q:queue-scheduled", "jid") == 7


def test_requeue_of_a_cancelled_job(core: Core) -> None:
    core.put(0, "jid")
    core("job.cancel", 1, "jid")
    core.fails(
        "job.requeue", 2, "w", "q", "jid", "k", "{}", 0, match="Requeue(): Job jid does not exist"
    )


REQUEUE_ERRORS: list[tuple[tuple[Arg, ...], str]] = [
    ((), "Job(): no jid provided"),
    (("w", "q"), "Job(): no jid provided"),
    # The existence check comes before every put check.
    (("w", "q", "ghost"), "Requeue(): Job ghost does not exist"),
    (("w", "q", "ghost", "k", "false", "x"), "Requeue(): Job ghost does not exist"),
    (("w", "q", "jid"), 'Put(): Arg "klass" missing'),
    (("w", "q", "jid", "k", "nope"), 'Put(): Arg "data" missing or not JSON'),
    (("w", "q", "jid", "k", "{}", "x"), 'Put(): Arg "delay" not a number: x'),
    (("w", "q", "jid", "k", "{}", 0, "tags"), "Odd number of additional args"),
    (("w", "q", "jid", "k", "{}", 0, "tags", "false"), 'Put(): Arg "tags" not JSON'),
]


@pytest.mark.parametrize(("args", "match"), REQUEUE_ERRORS)
def test_requeue_rejects_malformed_input(core: Core, args: tuple[Arg, ...], match: str) -> None:
    core.put(0, "jid", "queue", "tags", '["a"]')
    core.fails("job.requeue", 1, *args, match=match)


def test_put_json_escapes(core: Core) -> None:
    core.put(0, "a/b", "q/r", klass="k/l")
    raw = core("job.get", 0, "a/b")
    assert '"jid":"a\\/b"' in raw and '"klass":"k\\/l"' in raw
    assert json.loads(raw)["throttles"] == ["ql:q:q/r"]
