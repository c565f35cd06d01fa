"""Rate windows on throttles, decided by pop (docs/concepts.md, Throttles).

A throttle with `rate n per s` admits at most n job starts in any s seconds (a
sliding log of start times). Jobs held on a full window never stop a pop from
taking other jobs, and the window's reopening is a timer the queue's waiting
workers wake for. See reqless/core/lua/src/lib/throttle.lua.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from redis import Redis

from reqless.core import CoreRunner
from tests.core.keyspace import check_invariants, read_keyspace
from tests.helpers import Core
from tests.property_settings import machine_settings


def jids(jobs: list[Any]) -> list[str]:
    return [job["jid"] for job in jobs]


def put_limited(core: Core, now: float, jid: str, *tids: str) -> None:
    core.put(now, jid, "queue", "throttles", json.dumps(list(tids)))


def consistent(redis: Redis) -> None:
    problems = check_invariants(read_keyspace(redis))
    assert not problems, problems


def test_a_window_admits_rate_starts_then_reopens(core: Core, redis: Redis) -> None:
    core("throttle.set", 0, "api", 0, 0, "rate", 2, "per", 10)
    for i in range(5):
        put_limited(core, 1 + i / 1000, f"r{i}", "api")
    assert jids(core.pop(2, limit=5)) == ["r0", "r1"]
    consistent(redis)
    assert core.job("r2")["state"] == "throttled"
    assert core.pop(11.9, limit=5) == []  # r0 started at 2: its slot frees at 12
    assert jids(core.pop(12, limit=5)) == ["r2", "r3"]
    described = core.json("throttle.get", 12, "api")
    assert (described["rate"], described["per"], described["used"]) == (2, 10, 2)
    assert described["reopens"] == 22
    consistent(redis)


def test_held_jobs_never_stop_a_pop_from_taking_other_jobs(core: Core) -> None:
    core("throttle.set", 0, "api", 0, 0, "rate", 1, "per", 60)
    # 300 limited jobs ahead of one free job; default max-pop-retry is 1.
    core("queue.putMany", 1, "w", "queue", *[
        arg for i in range(300)
        for arg in (f"r{i:03}", "K", "{}", 0, 4, "throttles", '["api"]', "priority", 1)
    ])  # fmt: skip
    core.put(2, "free")
    assert jids(core.pop(3, limit=2)) == ["r000", "free"]


def test_the_concurrency_maximum_and_the_rate_both_hold(core: Core) -> None:
    core("throttle.set", 0, "api", 1, 0, "rate", 3, "per", 10)
    for i in range(4):
        put_limited(core, 1 + i / 1000, f"r{i}", "api")
    assert jids(core.pop(2, limit=4)) == ["r0"]
    core("job.complete", 3, "r0", "worker", "queue", "{}")
    assert jids(core.pop(4, limit=4)) == ["r1"]
    core("job.complete", 5, "r1", "worker", "queue", "{}")
    assert jids(core.pop(6, limit=4)) == ["r2"]
    core("job.complete", 7, "r2", "worker", "queue", "{}")
    assert core.pop(8, limit=4) == []  # three starts since 2: full until 12
    assert jids(core.pop(12, limit=4)) == ["r3"]


def test_a_waiting_worker_is_told_when_the_window_reopens(core: Core) -> None:
    core("throttle.set", 0, "api", 0, 0, "rate", 1, "per", 30)
    put_limited(core, 1, "r0", "api")
    put_limited(core, 1.001, "r1", "api")
    assert jids(core.pop(5, limit=2)) == ["r0"]
    reply = core.json("queues.pop", 6, "worker", 1, 10, "queue")
    assert reply["jobs"] == []
    assert reply["next"] == 35  # r0's start at 5 leaves the window then
    reply = core.json("queues.pop", 35, "worker", 1, 10, "queue")
    assert jids(reply["jobs"]) == ["r1"]


def test_a_job_put_while_the_window_is_full_waits_for_it(core: Core, redis: Redis) -> None:
    core("throttle.set", 0, "api", 0, 0, "rate", 1, "per", 30)
    put_limited(core, 1, "r0", "api")
    core.pop(2)
    put_limited(core, 3, "r1", "api")
    assert core.job("r1")["state"] == "throttled"
    consistent(redis)
    assert core.json("queues.pop", 4, "worker", 1, 10, "queue")["next"] == 32
    assert jids(core.pop(32)) == ["r1"]


def test_a_queue_throttle_with_a_rate_pauses_the_queue_until_it_reopens(core: Core) -> None:
    core("throttle.set", 0, "ql:q:queue", 0, 0, "rate", 2, "per", 10)
    for i in range(3):
        core.put(1 + i / 1000, f"j{i}")
    assert jids(core.pop(2, limit=3)) == ["j0", "j1"]
    assert core.json("queues.pop", 3, "worker", 1, 10, "queue")["next"] == 12
    assert jids(core.pop(12)) == ["j2"]


def test_templates_define_per_key_throttles_that_leave_nothing(core: Core, redis: Redis) -> None:
    core("throttle.template.set", 0, "api:*", 0, "rate", 1, "per", 5)
    core("throttle.template.set", 0, "api:vip:*", 0, "rate", 2, "per", 5)
    put_limited(core, 1, "a0", "api:customer-1")
    put_limited(core, 1.001, "a1", "api:customer-1")
    put_limited(core, 1.002, "b0", "api:customer-2")
    put_limited(core, 1.003, "v0", "api:vip:9")
    put_limited(core, 1.004, "v1", "api:vip:9")
    assert sorted(jids(core.pop(2, limit=10))) == ["a0", "b0", "v0", "v1"]
    described = core.json("throttle.get", 2, "api:customer-1")
    assert described["template"] == "api:*"
    assert (described["rate"], described["per"], described["used"]) == (1, 5, 1)
    assert core.json("throttle.get", 2, "api:vip:9")["template"] == "api:vip:*"
    assert not redis.exists("ql:th:api:customer-1")  # no definition stored per key
    for jid in ("a0", "b0", "v0", "v1"):
        core("job.complete", 3, jid, "worker", "queue", "{}")
    assert jids(core.pop(7)) == ["a1"]
    core("job.complete", 8, "a1", "worker", "queue", "{}")
    assert core.json("throttle.templates", 9) == [
        {"pattern": "api:*", "maximum": 0, "rate": 1, "per": 5},
        {"pattern": "api:vip:*", "maximum": 0, "rate": 2, "per": 5},
    ]
    # What is left of idle keys goes once their windows pass (PEXPIRE of `per` s).
    assert {str(key) for key in redis.keys("ql:th:api:*")} <= {
        "ql:th:api:customer-1-starts", "ql:th:api:customer-2-starts", "ql:th:api:vip:9-starts",
    }  # fmt: skip
    assert all(0 < redis.pttl(key) <= 5000 for key in redis.keys("ql:th:api:*"))
    assert core("throttle.template.delete", 9, "api:vip:*") == 1
    assert core("throttle.template.delete", 9, "api:vip:*") == 0


def test_a_stored_definition_wins_over_a_template(core: Core) -> None:
    core("throttle.template.set", 0, "api:*", 0, "rate", 1, "per", 5)
    core("throttle.set", 0, "api:special", 3)
    described = core.json("throttle.get", 0, "api:special")
    assert described["maximum"] == 3 and "template" not in described and "rate" not in described


def test_set_keeps_and_clear_rate_removes_the_window(core: Core) -> None:
    core("throttle.set", 0, "api", 0, 0, "rate", 1, "per", 60)
    core("throttle.set", 0, "api", 4)  # the maximum alone: the window stays
    assert core.json("throttle.get", 1, "api")["rate"] == 1
    put_limited(core, 1, "r0", "api")
    put_limited(core, 1.001, "r1", "api")
    assert jids(core.pop(2, limit=2)) == ["r0"]
    core("throttle.clearRate", 3, "api")
    assert "rate" not in core.json("throttle.get", 3, "api")
    assert jids(core.pop(4)) == ["r1"]


def test_a_plain_throttle_reads_as_before(core: Core) -> None:
    core("throttle.set", 0, "plain", 3)
    assert core.json("throttle.get", 0, "plain") == {"id": "plain", "maximum": 3, "ttl": -1}


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("t", 1, 0, "rate", 0, "per", 10), 'Arg "rate" must be a whole number'),
        (("t", 1, 0, "rate", -2, "per", 10), 'Arg "rate"'),
        (("t", 1, 0, "rate", 1.5, "per", 10), 'Arg "rate"'),
        (("t", 1, 0, "rate", "lots", "per", 10), 'Arg "rate"'),
        (("t", 1, 0, "rate", 5, "per", 0), 'Arg "per" must be a number of seconds'),
        (("t", 1, 0, "rate", 5, "per", -1), 'Arg "per"'),
        (("t", 1, 0, "rate", 5, "per", "inf"), 'Arg "per"'),
        (("t", 1, 0, "rate", 5), "rate and per go together"),
        (("t", 1, 0, "per", 5, "rate", 5), "rate and per go together"),
    ],
)
def test_bad_rate_windows_are_refused(core: Core, args: tuple[Any, ...], match: str) -> None:
    core("throttle.set", 0, "t", 1, 0, "rate", 9, "per", 9)
    core.fails("throttle.set", 0, *args, match=match)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("api", 1), 'Arg "pattern" must be a prefix followed by one *'),
        (("*", 1), 'Arg "pattern"'),
        (("a*b*", 1), 'Arg "pattern"'),
        (("ql:q:*", 1), 'Arg "pattern"'),
        (("api:*", 0), "a template needs a maximum above 0 or a rate"),
        (("api:*", -1), 'Arg "maximum"'),
        (("api:*", 0, "rate", 0, "per", 1), 'Arg "rate"'),
        (("api:*", 0, "rate", 1, "per", 0), 'Arg "per"'),
    ],
)
def test_bad_templates_are_refused(core: Core, args: tuple[Any, ...], match: str) -> None:
    core.fails("throttle.template.set", 0, *args, match=match)


@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["put", "pop", "complete", "wait"]),
            st.integers(0, 5),
            st.sampled_from([0.0, 0.25, 1.0, 3.0, 7.0]),
        ),
        min_size=1,
        max_size=60,
    ),
    rate=st.integers(1, 4),
    per=st.sampled_from([1.0, 5.0, 10.0]),
    maximum=st.integers(0, 3),
)
@machine_settings(60)
def test_no_window_ever_admits_more_than_its_rate(
    redis: Redis,
    steps: list[tuple[str, int, float]],
    rate: int,
    per: float,
    maximum: int,
) -> None:
    """Random puts, pops, completes and clock steps: every window of `per` seconds
    holds at most `rate` starts (by the pop times), and the maximum holds too."""
    redis.flushall()
    core = Core(CoreRunner(redis), redis)
    core("throttle.set", 0, "api", maximum, 0, "rate", rate, "per", per)
    now, starts, running, n = 100.0, [], [], 0
    for action, arg, step in steps:
        now += step
        if action == "put":
            for _ in range(arg + 1):
                n += 1
                throttles = ["api"] if n % 3 else []
                core.put(now, f"j{n}", "queue", "throttles", json.dumps(throttles))
        elif action == "pop":
            for job in core.pop(now, limit=arg + 1):
                if "api" in job["throttles"]:
                    starts.append(now)
                    running.append(job["jid"])
                    if maximum:
                        assert len(running) <= maximum
        elif action == "complete" and running:
            core("job.complete", now, running.pop(0), "worker", "queue", "{}")
        problems = check_invariants(read_keyspace(redis))
        assert not problems, problems
    for first, last in zip(starts, starts[rate:], strict=False):
        assert last - first >= per, (starts, rate, per)


def test_a_blocked_worker_wakes_to_learn_an_earlier_reopening(core: Core, redis: Redis) -> None:
    core("throttle.set", 0, "api", 0, 0, "rate", 1, "per", 30)
    put_limited(core, 1, "r0", "api")
    core.pop(2)
    # A worker blocks on the queue with only r0's lock expiry (62) due...
    reply = core.json("queues.pop", 3, "blocked", 1, 60, "queue")
    assert reply["jobs"] == [] and reply["next"] == 62
    # ...then a job is put while the window is full: the worker is woken, and
    # its next pop learns when the window reopens.
    put_limited(core, 4, "r1", "api")
    assert redis.llen("ql:wake:queue") == 1
    assert core.json("queues.pop", 5, "blocked", 1, 60, "queue")["next"] == 32


def test_a_pop_that_stops_looking_tells_a_blocking_worker_to_look_again(core: Core) -> None:
    core("throttle.set", 0, "api", 0, 0, "rate", 1, "per", 600)
    # More rate-held jobs ahead of a free one than one pop looks past.
    core("queue.putMany", 1, "w", "queue", *[
        arg for i in range(1100)
        for arg in (f"r{i:04}", "K", "{}", 0, 4, "throttles", '["api"]', "priority", 1)
    ])  # fmt: skip
    core.put(2, "free")
    first = core.json("queues.pop", 3, "worker", 1, 10, "queue")
    assert [job["jid"] for job in first["jobs"]] == ["r0000"]
    second = core.json("queues.pop", 4, "worker", 1, 10, "queue")
    assert second["jobs"] == [] and second["next"] == 4  # look again at once
    third = core.json("queues.pop", 4, "worker", 1, 10, "queue")
    assert [job["jid"] for job in third["jobs"]] == ["free"]
