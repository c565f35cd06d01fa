"""job.get, job.getMulti and queue.length (docs/concepts.md, Jobs; docs/core-commands.md,
job.get)."""

from __future__ import annotations

import json

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core, snapshot


def test_missing_job_is_nil(redis: Redis, core: Core) -> None:
    assert core("job.get", 0, "ghost") is None
    assert redis.keys("*") == []


def test_get_has_no_side_effects(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "queue", "tags", '["t"]', delay=5)
    before = snapshot(redis)
    core.job("jid", now=100)
    core.json("job.getMulti", 100, "jid")
    assert snapshot(redis) == before


def test_empty_lists_are_objects_in_the_raw_text(core: Core) -> None:
    core.put(0, "jid")
    raw = core("job.get", 0, "jid")
    for field in ("tags", "dependents", "dependencies", "failure"):
        assert f'"{field}":{{}}' in raw
    assert '"spawned_from_jid":false' in raw
    assert '"tracked":false' in raw


def test_slash_is_escaped(core: Core) -> None:
    core.put(0, "jid", "queue", "tags", '["a/b"]', data='{"u":"http://x"}')
    raw = core("job.get", 0, "jid")
    assert '"tags":["a\\/b"]' in raw
    # The payload is stored verbatim; only the JSON encoding of the string escapes it.
    assert json.loads(raw)["data"] == '{"u":"http://x"}'


def test_number_formats(core: Core) -> None:
    core.put(1_700_000_000.12345, "jid", "queue", "priority", "61.5")
    core.pop(1_700_000_000.12345)
    raw = core("job.get", 0, "jid")
    assert '"expires":1700000060.1235' in raw
    assert '"priority":61.5' in raw
    assert '"retries":5' in raw and '"remaining":5' in raw


def test_fields_from_a_hand_written_hash(redis: Redis, core: Core) -> None:
    redis.hset(
        "ql:j:jid",
        mapping={
            "jid": "jid",
            "klass": "k",
            "state": "failed",
            "queue": "q",
            "priority": "2.5",
            "expires": "",
            "retries": "3",
            "remaining": "-0.5",
            "data": '{"a": [ ]}',
            "tags": '["x","y"]',
            "spawned_from_jid": "parent",
            "failure": '{"group":"g","message":"m","when":5,"worker":"w"}',
        },
    )
    redis.sadd("ql:j:jid-dependents", "d1")
    redis.sadd("ql:j:jid-dependencies", "p1", "p2")
    redis.zadd("ql:tracked", {"jid": 1})
    job = core.job("jid")
    assert job == {
        "jid": "jid",
        "klass": "k",
        "state": "failed",
        "queue": "q",
        "worker": "",
        "tracked": True,
        "priority": 2.5,
        "expires": 0,
        "retries": 3,
        "remaining": -1,
        "data": '{"a": [ ]}',
        "tags": ["x", "y"],
        "history": {},  # an empty nested list is written {}
        "failure": {"group": "g", "message": "m", "when": 5, "worker": "w"},
        "throttles": {},
        "spawned_from_jid": "parent",
        "dependents": ["d1"],
        "dependencies": job["dependencies"],
    }
    assert sorted(job["dependencies"]) == ["p1", "p2"]


@pytest.mark.parametrize(("stored", "remaining"), [("2.7", 2), ("-1", -1), ("4", 4)])
def test_remaining_is_floored(redis: Redis, core: Core, stored: str, remaining: int) -> None:
    core.put(0, "jid")
    redis.hset("ql:j:jid", "remaining", stored)
    assert core.job("jid")["remaining"] == remaining


def test_failed_job_expires_is_zero(core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)
    core("job.fail", 2, "jid", "worker", "g", "m")
    job = core.job("jid")
    assert (job["state"], job["expires"], job["worker"], job["queue"]) == ("failed", 0, "", "queue")
    assert job["failure"] == {"group": "g", "message": "m", "when": 2, "worker": "worker"}


def test_complete_job(core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)
    core("job.complete", 2, "jid", "worker", "queue", '{"r":1}')
    job = core.job("jid")
    assert (job["state"], job["queue"], job["worker"], job["data"]) == (
        "complete",
        "",
        "",
        '{"r":1}',
    )
    assert job["failure"] == {}


def test_get_rejects_a_missing_jid(core: Core) -> None:
    core.put(0, "jid")
    core.fails("job.get", 0, match="Job(): no jid provided")


# --- job.getMulti -------------------------------------------------------------------------


def test_get_multi_keeps_argument_order_and_skips_missing(core: Core) -> None:
    for jid in ("a", "b", "c"):
        core.put(0, jid)
    jobs = core.json("job.getMulti", 0, "c", "ghost", "a", "c")
    assert [job["jid"] for job in jobs] == ["c", "a", "c"]
    assert jobs[1] == core.job("a")


@pytest.mark.parametrize("args", [(), ("ghost",), ("x", "y")])
def test_get_multi_empty_is_a_list(redis: Redis, core: Core, args: tuple[Arg, ...]) -> None:
    assert core("job.getMulti", 0, *args) == "[]"
    assert redis.keys("*") == []


# --- queue.length -------------------------------------------------------------------------


def test_length_counts_locks_work_and_scheduled(redis: Redis, core: Core) -> None:
    redis.hset("ql:th:tid", mapping={"id": "tid", "maximum": 1})
    redis.zadd("ql:th:tid-locks", {"holder": 1})
    core.put(0, "running")
    core.pop(1)
    core.put(2, "waiting")
    core.put(2, "later", delay=100)
    core.put(2, "dependent", "queue", "depends", '["waiting"]')
    core.put(2, "throttled", "queue", "throttles", '["tid"]')
    core.put(2, "elsewhere", "other")
    before = snapshot(redis)
    assert core("queue.length", 1000, "queue") == 3
    # Expired locks still count and nothing is promoted.
    assert snapshot(redis) == before
    assert core("queue.length", 0, "other") == 1
    assert core("queue.length", 0, "nothing") == 0


def test_length_counts_timed_out_and_released_jobs(redis: Redis, core: Core) -> None:
    redis.hset("ql:th:tid", mapping={"id": "tid", "maximum": 1})
    core.put(0, "a", "queue", "throttles", '["tid"]')
    core.pop(1)
    core.put(2, "b", "queue", "throttles", '["tid"]')
    assert core("queue.length", 3, "queue") == 1
    core("job.timeout", 3, "a")
    # a is stalled in work; b was released from the throttle back to work.
    assert core.job("b")["state"] == "throttled"
    assert core("queue.length", 3, "queue") == 2


def test_length_rejects_a_missing_queue(core: Core) -> None:
    core.put(0, "jid")
    core.fails("queue.length", 0, match="Queue(): no queue name provided")


# --- values other clients stored unchecked (issue 8.1) -----------------------------


@pytest.mark.parametrize("field", ["priority", "expires", "retries", "remaining"])
def test_a_stored_infinity_still_gives_a_job_object(core: Core, redis: Redis, field: str) -> None:
    core.put(0, "jid")
    redis.hset("ql:j:jid", field, "inf")
    job = core.job("jid")
    assert job["jid"] == "jid"
    assert job.get(field) in (0, None)


def test_a_stored_infinite_priority_cannot_fail_a_pop_after_it_wrote(
    core: Core, redis: Redis
) -> None:
    # Before: pop marked the job running under the popper, then failed to encode
    # its reply, so nobody received the job while it held a lock.
    core.put(0, "jid")
    redis.hset("ql:j:jid", "priority", "1e400")
    (job,) = core.pop(1)
    assert (job["jid"], job["priority"], job["state"]) == ("jid", 0, "running")


def test_a_template_without_interval_is_passed_over(core: Core, redis: Redis) -> None:
    core("queue.recurAtInterval", 0, "queue", "r", "klass", "{}", 60, 0)
    redis.hdel("ql:r:r", "interval")
    core.put(0, "jid")
    assert [job["jid"] for job in core.pop(1, limit=5)] == ["jid"]
