"""Failure listings and unfail (docs/core-commands.md, jobs.failedByGroup, failureGroups.counts and
queue.unfail)."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core, snapshot


def fail(core: Core, now: float, jid: str, queue: str = "queue", group: str = "group") -> None:
    """Put, pop and fail `jid` at `now`."""
    core.put(now, jid, queue)
    [job] = core.pop(now, queue)
    assert job["jid"] == jid
    assert core("job.fail", now, jid, "worker", group, "message") == jid


def failed_by_group(core: Core, now: float, *args: Arg) -> Any:
    return core.json("jobs.failedByGroup", now, *args)


# -- malformed input ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("group", "x"), 'Failed(): Arg "start" is not a number: x'),
        (("group", "nan"), 'Failed(): Arg "start" is not a number: nan'),
        (("group", ""), 'Failed(): Arg "start" is not a number: '),
        (("group", "0", "y"), 'Failed(): Arg "limit" is not a number: y'),
        (("group", "0", "nan"), 'Failed(): Arg "limit" is not a number: nan'),
        (("group", "0", "inf"), 'Failed(): Arg "limit" is not a number: inf'),
    ],
)
def test_failed_by_group_rejects_malformed_input(
    core: Core, args: tuple[Arg, ...], message: str
) -> None:
    fail(core, 0, "jid")
    core.fails("jobs.failedByGroup", 1, *args, match=message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("x",), 'Failed(): Arg "start" is not a number: x'),
        (("nan",), 'Failed(): Arg "start" is not a number: nan'),
        (("0", "y"), 'Failed(): Arg "limit" is not a number: y'),
    ],
)
def test_failure_group_counts_rejects_malformed_input(
    core: Core, args: tuple[Arg, ...], message: str
) -> None:
    fail(core, 0, "jid")
    core.fails("failureGroups.counts", 1, *args, match=message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), 'queue.unfail(): Arg "queue" missing'),
        (("queue",), 'Unfail(): Arg "group" missing'),
        (("queue", "group", "x"), 'Unfail(): Arg "count" not a number: x'),
        (("queue", "group", ""), 'Unfail(): Arg "count" not a number: '),
        (("queue", "group", "nan"), 'Unfail(): Arg "count" not a number: nan'),
        (("queue", "group", "0"), 'Unfail(): Arg "count" must be greater than zero'),
        (("queue", "group", "-3"), 'Unfail(): Arg "count" must be greater than zero'),
        (("queue", "group", "-inf"), 'Unfail(): Arg "count" not a number: -inf'),
        (("queue", "group", "inf"), 'Unfail(): Arg "count" not a number: inf'),
    ],
)
def test_unfail_rejects_malformed_input(core: Core, args: tuple[Arg, ...], message: str) -> None:
    fail(core, 0, "jid")
    core.fails("queue.unfail", 1, *args, match=message)


def test_unfail_checks_every_job_exists_before_moving_any(redis: Redis, core: Core) -> None:
    # A decision of this project: the original raised part-way, after writing.
    fail(core, 0, "a")
    fail(core, 1, "b")
    redis.rpush("ql:f:group", "ghost")  # the oldest entry
    core.fails("queue.unfail", 2, "queue", "group", match="does not exist")
    core.fails("queue.unfail", 2, "queue", "group", 3, match="does not exist")


# -- jobs.failedByGroup and failureGroups.counts ----------------------------------


def test_one_failure(core: Core) -> None:
    fail(core, 0, "jid")
    assert failed_by_group(core, 1, "group") == {"total": 1, "jobs": ["jid"]}
    assert core.json("failureGroups.counts", 1) == {"group": 1}


def test_an_unknown_group_has_no_jobs(core: Core) -> None:
    reply = core("jobs.failedByGroup", 0, "nope")
    assert '"jobs":{}' in reply
    assert failed_by_group(core, 0, "nope") == {"total": 0, "jobs": {}}


def test_no_failure_groups_is_an_empty_object(core: Core) -> None:
    assert core("failureGroups.counts", 0) == "{}"
    assert core("jobs.failedByGroup", 0) == "{}"


def test_without_a_group_failed_by_group_counts_the_groups(core: Core) -> None:
    fail(core, 0, "a", group="one")
    fail(core, 1, "b", group="two")
    fail(core, 2, "c", group="two")
    expected = {"one": 1, "two": 2}
    assert core.json("failureGroups.counts", 3) == expected
    assert failed_by_group(core, 3) == expected


def test_failure_group_counts_ignores_its_paging(core: Core) -> None:
    for i in range(3):
        fail(core, i, f"jid{i}")
    assert core.json("failureGroups.counts", 3, 1, 1) == {"group": 3}
    assert core.json("failureGroups.counts", 3, "-5", "0") == {"group": 3}


def test_retries_exhausted_by_retry_lists_the_job(core: Core) -> None:
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(0)
    assert core("job.retry", 1, "jid", "queue", "worker") == -1
    assert failed_by_group(core, 1, "failed-retries-queue") == {"total": 1, "jobs": ["jid"]}
    assert core.json("failureGroups.counts", 1) == {"failed-retries-queue": 1}


def test_failures_page_newest_first(core: Core) -> None:
    names = [f"jid{i:02}" for i in range(100)]
    for i, jid in enumerate(names):
        fail(core, i, jid)
    newest = names[::-1]
    assert failed_by_group(core, 100, "group", 0, 50) == {"total": 100, "jobs": newest[:50]}
    assert failed_by_group(core, 100, "group", 50, 50) == {"total": 100, "jobs": newest[50:]}
    assert failed_by_group(core, 100, "group") == {"total": 100, "jobs": newest[:25]}


@pytest.mark.parametrize(
    ("start", "limit", "expected"),
    [
        (0, 0, ["e", "d", "c", "b", "a"]),
        (2, 0, {}),
        (1, 2, ["d", "c"]),
        (-2, 25, ["b", "a"]),
        (0, -1, ["e", "d", "c", "b"]),
        (7, 5, {}),
        ("1.5", "1.9", ["d"]),
    ],
)
def test_failed_by_group_pages_like_a_list_range(
    core: Core, start: Arg, limit: Arg, expected: Any
) -> None:
    for i, jid in enumerate("abcde"):
        fail(core, i, jid)
    assert failed_by_group(core, 5, "group", start, limit) == {"total": 5, "jobs": expected}


def test_a_group_disappears_when_its_last_job_is_put_again(redis: Redis, core: Core) -> None:
    fail(core, 0, "a", group="one")
    fail(core, 1, "b", group="two")
    core.put(2, "a")
    assert core.json("failureGroups.counts", 3) == {"two": 1}
    assert failed_by_group(core, 3, "one") == {"total": 0, "jobs": {}}
    assert redis.smembers("ql:failures") == {"two"}


# -- queue.unfail --------------------------------------------------------------


def test_unfail_moves_the_oldest_failures(redis: Redis, core: Core) -> None:
    names = [f"jid{i}" for i in range(10)]
    for i, jid in enumerate(names):
        fail(core, i, jid)
    stats = redis.hgetall("ql:s:stats:0:queue")
    assert core("queue.unfail", 20, "queue", "group", 3) == 3
    assert redis.lrange("ql:f:group", 0, -1) == names[:2:-1]  # jid9 ... jid3
    assert redis.smembers("ql:failures") == {"group"}
    for jid in names[:3]:
        job = core.job(jid)
        assert (job["state"], job["worker"], job["expires"], job["queue"]) == (
            "waiting",
            "",
            0,
            "queue",
        )
        assert job["remaining"] == 5
        assert job["history"][-1] == {"what": "put", "when": 20, "queue": "queue"}
        # The failure stays, and so does the failed stat.
        assert job["failure"]["group"] == "group"
        assert redis.zscore("ql:q:queue-work", jid) == 0 - 20 / 10_000_000_000
    # All entered work at the same time: they pop in reverse jid order.
    assert [job["jid"] for job in core.pop(21, limit=5)] == ["jid2", "jid1", "jid0"]
    assert redis.hgetall("ql:s:stats:0:queue") == stats


def test_unfail_defaults_to_twenty_five(redis: Redis, core: Core) -> None:
    for i in range(30):
        fail(core, i, f"jid{i:02}")
    assert core("queue.unfail", 40, "queue", "group") == 25
    assert redis.lrange("ql:f:group", 0, -1) == [f"jid{i:02}" for i in range(29, 24, -1)]


def test_unfail_of_every_job_drops_the_group(redis: Redis, core: Core) -> None:
    for i in range(10):
        fail(core, i, f"jid{i}")
    assert core("queue.unfail", 20, "queue", "group", 100) == 10
    assert [core.job(f"jid{i}")["state"] for i in range(10)] == ["waiting"] * 10
    assert not redis.exists("ql:f:group")
    assert redis.smembers("ql:failures") == set()
    assert core("failureGroups.counts", 21) == "{}"


def test_unfail_floors_the_count(redis: Redis, core: Core) -> None:
    for i in range(3):
        fail(core, i, f"jid{i}")
    assert core("queue.unfail", 10, "queue", "group", "2.7") == 2
    assert redis.lrange("ql:f:group", 0, -1) == ["jid2"]


def test_unfail_of_an_empty_group_changes_nothing(redis: Redis, core: Core) -> None:
    fail(core, 0, "jid")
    before = snapshot(redis)
    assert core("queue.unfail", 1, "queue", "nope", 5) == 0
    assert snapshot(redis) == before


def test_unfail_into_another_queue(redis: Redis, core: Core) -> None:
    core.put(0, "parent", "side")
    fail(core, 0, "jid", queue="origin")
    assert core("queue.unfail", 5, "target", "group") == 1
    job = core.job("jid")
    assert (job["queue"], job["state"]) == ("target", "waiting")
    # Neither the throttle list nor the known queues change.
    assert job["throttles"] == ["ql:q:origin"]
    assert redis.zrange("ql:queues", 0, -1) == ["origin", "side"]
    assert redis.zrange("ql:q:target-work", 0, -1) == ["jid"]
    assert [job["jid"] for job in core.pop(6, "target")] == ["jid"]


def test_unfail_skips_throttle_checks(redis: Redis, core: Core) -> None:
    fail(core, 0, "jid")
    core.put(1, "holder")
    core.pop(1)
    redis.hset("ql:th:ql:q:queue", mapping={"id": "ql:q:queue", "maximum": 1})
    assert core("queue.unfail", 2, "queue", "group") == 1
    assert core.job("jid")["state"] == "waiting"
    assert redis.zrange("ql:q:queue-work", 0, -1) == ["jid"]
    assert redis.zcard("ql:q:queue-throttled") == 0


def test_unfail_uses_five_retries_when_none_are_stored(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "queue", "retries", 2)
    core.pop(0)
    core("job.fail", 0, "jid", "worker", "group", "message")
    assert core("queue.unfail", 1, "queue", "group") == 1
    assert core.job("jid")["remaining"] == 2
    core.pop(2)
    core("job.fail", 2, "jid", "worker", "group", "message")
    redis.hdel("ql:j:jid", "retries")
    assert core("queue.unfail", 3, "queue", "group") == 1
    assert core.job("jid")["remaining"] == 5


def test_unfail_keeps_the_priority(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "queue", "priority", 7)
    core.pop(0)
    core("job.fail", 0, "jid", "worker", "group", "message")
    core("queue.unfail", 10, "queue", "group")
    assert redis.zscore("ql:q:queue-work", "jid") == 7 - 10 / 10_000_000_000
