"""queue.pop without lock expiry (docs/concepts.md, Queues, Workers and Throttles;
docs/core-commands.md, queue.pop)."""

from __future__ import annotations

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core, events, snapshot


def jids(jobs: list[dict[str, object]]) -> list[object]:
    """The jids of a list of job objects, in order."""
    return [job["jid"] for job in jobs]


def limit_throttle(redis: Redis, tid: str, maximum: int) -> None:
    """Give throttle `tid` a maximum, as throttle.set would."""
    redis.hset(f"ql:th:{tid}", mapping={"id": tid, "maximum": maximum})


def test_popped_job_object_matches_the_spec_example(core: Core) -> None:
    core.put(0, "j1", "q", klass="my.Job")
    assert core.pop(1, "q", "w") == [
        {
            "jid": "j1",
            "klass": "my.Job",
            "state": "running",
            "queue": "q",
            "worker": "w",
            "tracked": False,
            "priority": 0,
            "expires": 61,
            "retries": 5,
            "remaining": 5,
            "data": "{}",
            "tags": {},
            "history": [
                {"what": "put", "when": 0, "queue": "q"},
                {"what": "popped", "when": 1, "worker": "w"},
            ],
            "failure": {},
            "throttles": ["ql:q:q"],
            "spawned_from_jid": False,
            "dependents": {},
            "dependencies": {},
        }
    ]


def test_pop_returns_what_get_returns(core: Core) -> None:
    core.put(0, "jid", "queue", "tags", '["t"]', "priority", 2)
    [popped] = core.pop(1.5)
    assert popped == core.job("jid")


def test_pop_writes_the_bookkeeping(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(1.5)
    stored = redis.hgetall("ql:j:jid")
    assert (stored["state"], stored["worker"], float(stored["expires"])) == (
        "running",
        "worker",
        61.5,
    )
    assert stored["time"] == "1.50000000000000000000"
    assert (stored["retries"], stored["remaining"]) == ("5", "5")
    assert redis.zrange("ql:q:queue-locks", 0, -1, withscores=True) == [("jid", 61.5)]
    assert redis.zrange("ql:w:worker:jobs", 0, -1, withscores=True) == [("jid", 61.5)]
    assert redis.zrange("ql:workers", 0, -1, withscores=True) == [("worker", 1.5)]
    assert redis.zcard("ql:q:queue-work") == 0
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1) == ["jid"]
    assert redis.lrange("ql:j:jid-history", 1, -1) == ['[1,"popped",{"worker":"worker"}]']
    assert core("queue.length", 2, "queue") == 1


def test_pop_records_a_wait_sample(redis: Redis, core: Core) -> None:
    core.put(0, "a")
    core.put(10, "b", delay=5)
    core.pop(20, limit=2)
    wait = redis.hgetall("ql:s:wait:0:queue")
    assert (int(wait["total"]), float(wait["mean"])) == (2, 15)


def test_empty_pop(redis: Redis, core: Core) -> None:
    assert core("queue.pop", 5, "nothing", "worker", 3) == "[]"
    assert redis.zrange("ql:workers", 0, -1, withscores=True) == [("worker", 5)]
    assert redis.exists("ql:queues") == 0


def test_pop_with_limit_zero_still_records_the_worker(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    assert core("queue.pop", 3, "queue", "worker", 0) == "[]"
    assert redis.zscore("ql:workers", "worker") == 3
    assert core.job("jid")["state"] == "waiting"


@pytest.mark.parametrize(("limit", "count"), [("2.9", 2), ("0x2", 2), (" 3 ", 3), ("-1", 0)])
def test_limit_is_floored(core: Core, limit: str, count: int) -> None:
    for i in range(5):
        core.put(i, f"j{i}")
    assert len(core.json("queue.pop", 10, "queue", "worker", limit)) == count


def test_pop_of_a_paused_queue(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.put(0, "later", delay=1)
    redis.sadd("ql:paused_queues", "queue")
    before = snapshot(redis)
    assert core("queue.pop", 5, "queue", "worker", 5) == "[]"
    assert snapshot(redis) == before
    redis.srem("ql:paused_queues", "queue")
    assert jids(core.pop(5, limit=5)) == ["jid", "later"]


def test_pop_publishes_only_for_tracked_jobs(redis: Redis, core: Core) -> None:
    core.put(0, "a")
    core.put(1, "b")
    redis.zadd("ql:tracked", {"b": 0})
    with events(redis) as capture:
        popped = core.pop(2, limit=2)
        assert capture.drain() == [("ql:popped", "b")]
    assert [job["tracked"] for job in popped] == [False, True]


# --- ordering ----------------------------------------------------------------------------


def test_priority_order(core: Core) -> None:
    for priority in range(-10, 10):
        core.put(0, f"p{priority}", "queue", "priority", priority)
    assert jids(core.pop(1, limit=20)) == [f"p{p}" for p in range(9, -11, -1)]


def test_fifo_for_equal_priority(core: Core) -> None:
    for t in range(100):
        core.put(t, f"j{t:02}")
    assert jids(core.pop(100, limit=100)) == [f"j{t:02}" for t in range(100)]


def test_fifo_with_large_times(core: Core) -> None:
    core.put(1_700_000_001, "b")
    core.put(1_700_000_002, "a")
    core.put(1_700_000_000, "c", "queue", "priority", -1)
    assert jids(core.pop(1_700_000_010, limit=3)) == ["b", "a", "c"]


def test_limit_splits_the_queue(core: Core) -> None:
    for t in range(10):
        core.put(t, f"j{t}")
    assert jids(core.pop(10, limit=7)) == [f"j{t}" for t in range(7)]
    assert jids(core.pop(11, limit=7)) == ["j7", "j8", "j9"]
    assert core.pop(12, limit=7) == []


@pytest.mark.parametrize(
    ("put", "popped"),
    [(["x1", "x3", "x2"], ["x3", "x2", "x1"]), (["a", "B", "b", "aa"], ["b", "aa", "a", "B"])],
)
def test_exact_ties_pop_in_reverse_jid_order(core: Core, put: list[str], popped: list[str]) -> None:
    for jid in put:
        core.put(5, jid)
    assert jids(core.pop(6, limit=10)) == popped


# --- heartbeat -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expires"),
    [
        ({}, 70),
        ({"heartbeat": "30"}, 40),
        ({"heartbeat": "30", "queue-heartbeat": "5"}, 15),
        ({"heartbeat": "30", "queue-heartbeat": "0"}, 10),
        ({"heartbeat": "0"}, 10),
        ({"heartbeat": "-10"}, 0),
        ({"other-heartbeat": "5"}, 70),
        ({"heartbeat": "1.5"}, 11.5),
    ],
)
def test_lock_length(redis: Redis, core: Core, config: dict[str, str], expires: float) -> None:
    for name, value in config.items():
        redis.hset("ql:config", name, value)
    core.put(0, "jid")
    [job] = core.pop(10)
    assert job["expires"] == expires
    assert redis.zscore("ql:q:queue-locks", "jid") == expires
    assert redis.zscore("ql:w:worker:jobs", "jid") == expires


# --- scheduled jobs ------------------------------------------------------------------------


def test_scheduled_job_becomes_poppable(redis: Redis, core: Core) -> None:
    core.put(0, "jid", delay=1)
    assert core.pop(0) == []
    assert core.job("jid")["state"] == "scheduled"
    [job] = core.pop(2)
    assert (job["jid"], job["state"]) == ("jid", "running")
    assert redis.zcard("ql:q:queue-scheduled") == 0
    assert [entry["what"] for entry in job["history"]] == ["put", "popped"]


def test_promotion_at_the_ready_time(core: Core) -> None:
    core.put(0, "jid", delay=1)
    assert jids(core.pop(1)) == ["jid"]


def test_promotion_budget_is_the_limit(redis: Redis, core: Core) -> None:
    for jid in ("s1", "s2", "s3"):
        core.put(0, jid, delay=5)
    assert jids(core.pop(10, limit=1)) == ["s1"]
    assert redis.zrange("ql:q:queue-scheduled", 0, -1) == ["s2", "s3"]
    assert core.job("s2")["state"] == "scheduled"


def test_promoted_jobs_score_at_the_promotion_time(redis: Redis, core: Core) -> None:
    core.put(0, "early", delay=5)
    core.put(0, "late", delay=8)
    core.put(0, "hi", "queue", "priority", 1, delay=9)
    core.put(3, "ready")
    # limit 0 promotes nothing.
    core.pop(10, limit=0)
    assert redis.zcard("ql:q:queue-scheduled") == 3
    # A peek promotes them all at its own `now`.
    core("queue.peek", 20, "queue", 0, 10)
    assert redis.zscore("ql:q:queue-work", "early") == -20 / 10_000_000_000
    assert redis.zscore("ql:q:queue-work", "hi") == 1 - 20 / 10_000_000_000
    assert core.job("late")["state"] == "waiting"
    # Promoted together: priority first, then ready before them, then reverse jid.
    assert jids(core.pop(21, limit=4)) == ["hi", "ready", "late", "early"]


def test_negative_ready_times_are_never_promoted(core: Core) -> None:
    core.put(-10, "jid", delay=5)
    assert core.pop(100) == []
    assert core.job("jid")["state"] == "scheduled"
    assert core("queue.length", 100, "queue") == 1


def test_full_queue_throttle_stops_before_promotion(redis: Redis, core: Core) -> None:
    limit_throttle(redis, "ql:q:queue", 1)
    core.put(0, "a")
    core.pop(1)
    core.put(1, "b", delay=1)
    core.put(1, "c")
    assert core.pop(10, limit=5) == []
    assert core.job("b")["state"] == "scheduled"
    assert redis.zrange("ql:q:queue-work", 0, -1) == []
    assert core.job("c")["state"] == "throttled"


# --- throttles -----------------------------------------------------------------------------


def test_pop_acquires_every_throttle(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "queue", "throttles", '["tid","ql:q:queue"]')
    core.pop(1)
    assert redis.zrange("ql:th:tid-locks", 0, -1, withscores=True) == [("jid", 1)]
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1, withscores=True) == [("jid", 1)]


def test_a_throttle_named_twice_takes_one_slot(redis: Redis, core: Core) -> None:
    limit_throttle(redis, "ql:q:queue", 1)
    core.put(0, "jid", "queue", "throttles", '["ql:q:queue"]')
    assert core.job("jid")["throttles"] == ["ql:q:queue", "ql:q:queue"]
    assert jids(core.pop(1)) == ["jid"]
    assert redis.zrange("ql:th:ql:q:queue-locks", 0, -1) == ["jid"]


def test_blocked_job_is_throttled_at_pop(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "queue", "throttles", '["tid","other"]')
    limit_throttle(redis, "other", 1)
    redis.zadd("ql:th:other-locks", {"holder": 1})
    assert core.pop(5) == []
    job = core.job("jid")
    assert job["state"] == "throttled"
    assert job["history"][-1] == {"what": "throttled", "when": 5, "queue": "queue"}
    assert redis.zrange("ql:th:other-pending", 0, -1, withscores=True) == [("jid", 5)]
    assert redis.zrange("ql:q:queue-throttled", 0, -1, withscores=True) == [("jid", 5)]
    assert redis.zcard("ql:q:queue-work") == 0
    # Nothing is acquired, not even the throttles that were free.
    assert redis.exists("ql:th:tid-locks", "ql:th:ql:q:queue-locks") == 0
    assert redis.zrange("ql:th:other-locks", 0, -1) == ["holder"]


def test_released_job_is_popped_normally(redis: Redis, core: Core) -> None:
    limit_throttle(redis, "tid", 1)
    core.put(0, "a", "queue", "throttles", '["tid"]')
    core.pop(1)
    core.put(2, "b", "queue", "throttles", '["tid"]')
    assert core.job("b")["state"] == "throttled"
    core("job.complete", 3, "a", "worker", "queue", "{}")
    assert core.job("b")["state"] == "throttled"
    assert redis.zscore("ql:q:queue-work", "b") == -3 / 10_000_000_000
    [job] = core.pop(4)
    assert (job["jid"], job["state"]) == ("b", "running")
    assert [entry["what"] for entry in job["history"]] == ["put", "throttled", "popped"]


def test_a_throttled_job_blocked_again_gets_no_new_entry(redis: Redis, core: Core) -> None:
    limit_throttle(redis, "tid", 1)
    core.put(0, "a", "queue", "throttles", '["tid"]')
    core.pop(1)
    core.put(2, "b", "queue", "throttles", '["tid"]')
    core("job.complete", 3, "a", "worker", "queue", "{}")
    redis.zadd("ql:th:tid-locks", {"holder": 1})
    assert core.pop(4) == []
    assert [entry["what"] for entry in core.job("b")["history"]] == ["put", "throttled"]
    assert redis.zrange("ql:th:tid-pending", 0, -1, withscores=True) == [("b", 4)]


def max_pop_retry_jobs(redis: Redis, core: Core, tids: list[str]) -> None:
    limit_throttle(redis, "tid1", 1)
    limit_throttle(redis, "tid2", 1)
    for i, tid in enumerate(tids, start=1):
        core.put(i, f"jid{i}", "queue", "throttles", f'["{tid}"]')


@pytest.mark.parametrize(
    ("config", "popped", "waiting"),
    [
        ({}, ["jid1"], ["jid3", "jid4"]),
        ({"max-pop-retry": "2"}, ["jid1", "jid3"], ["jid4"]),
        ({"queue-max-pop-retry": "3"}, ["jid1", "jid3"], ["jid4"]),
        ({"max-pop-retry": "2", "queue-max-pop-retry": "1"}, ["jid1"], ["jid3", "jid4"]),
        ({"max-pop-retry": "0"}, [], ["jid1", "jid2", "jid3", "jid4"]),
    ],
)
def test_max_pop_retry(
    redis: Redis,
    core: Core,
    config: dict[str, str],
    popped: list[str],
    waiting: list[str],
) -> None:
    for name, value in config.items():
        redis.hset("ql:config", name, value)
    max_pop_retry_jobs(redis, core, ["tid1", "tid1", "tid2", "tid2"])
    assert jids(core.pop(10, limit=2)) == popped
    assert sorted(redis.zrange("ql:q:queue-work", 0, -1)) == waiting
    if popped:
        assert core.job("jid2")["state"] == "throttled"
        assert redis.zrange("ql:th:tid1-pending", 0, -1) == ["jid2"]


def test_max_pop_retry_second_pass_throttles_again(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "max-pop-retry", 2)
    max_pop_retry_jobs(redis, core, ["tid1", "tid1", "tid1", "tid2"])
    assert jids(core.pop(10, limit=2)) == ["jid1"]
    assert redis.zrange("ql:th:tid1-pending", 0, -1) == ["jid2", "jid3"]
    assert redis.zrange("ql:q:queue-work", 0, -1) == ["jid4"]
    assert core.job("jid4")["state"] == "waiting"


def test_work_jids_without_a_job_are_dropped(redis: Redis, core: Core) -> None:
    core.put(0, "a")
    redis.zadd("ql:q:queue-work", {"ghost": 5})
    # The ghost takes the only candidate slot of the single pass.
    assert core.pop(1) == []
    assert redis.zrange("ql:q:queue-work", 0, -1) == ["a"]
    redis.zadd("ql:q:queue-work", {"ghost": 5})
    assert jids(core.pop(2, limit=2)) == ["a"]
    assert redis.zcard("ql:q:queue-work") == 0
    assert redis.exists("ql:j:ghost", "ql:j:ghost-history") == 0


def test_pop_keeps_retries_and_remaining(core: Core) -> None:
    core.put(0, "jid", "queue", "retries", 2)
    [job] = core.pop(1)
    assert (job["retries"], job["remaining"]) == (2, 2)


def test_pop_history_when_is_floored(core: Core) -> None:
    core.put(0.9, "jid")
    [job] = core.pop(1.7)
    assert [entry["when"] for entry in job["history"]] == [0, 1]


# --- malformed input -----------------------------------------------------------------------

POP_ERRORS: list[tuple[tuple[Arg, ...], str]] = [
    ((), "Queue(): no queue name provided"),
    (("queue",), 'Pop(): Arg "worker" missing'),
    (("queue", "worker"), 'Pop(): Arg "limit" missing or not a number: '),
    (("queue", "worker", "many"), 'Pop(): Arg "limit" missing or not a number: many'),
    (("queue", "worker", ""), 'Pop(): Arg "limit" missing or not a number: '),
    (("queue", "worker", "nan"), 'Pop(): Arg "limit" missing or not a number: nan'),
]


@pytest.mark.parametrize(("args", "match"), POP_ERRORS)
def test_pop_rejects_malformed_input(
    redis: Redis, core: Core, args: tuple[Arg, ...], match: str
) -> None:
    core.put(0, "jid")
    core.put(0, "later", delay=1)
    core.fails("queue.pop", 5, *args, match=match)
    redis.sadd("ql:paused_queues", "queue")
    core.fails("queue.pop", 5, *args, match=match)
