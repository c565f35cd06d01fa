"""queue.jobsByState and jobs.completed: jid listings and their paging (docs/core-commands.md,
queue.jobsByState and jobs.completed)."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core


def by_state(core: Core, now: float, state: str, *args: Arg) -> Any:
    return core.json("queue.jobsByState", now, state, *args)


def complete(core: Core, now: float, jid: str) -> None:
    """Put, pop and complete `jid` at `now`."""
    core.put(now, jid)
    core.pop(now)
    assert core("job.complete", now, jid, "worker", "queue", "{}") == "complete"


# -- malformed input ---------------------------------------------------------

JOBS_BY_STATE_ERRORS: list[tuple[tuple[Arg, ...], str]] = [
    ((), 'Jobs(): Arg "state" missing'),
    (("running",), 'Jobs(): Arg "queue" missing'),
    (("scheduled",), 'Jobs(): Arg "queue" missing'),
    (("nonsense",), 'Jobs(): Arg "queue" missing'),
    (("running", "queue", "x"), 'Jobs(): Arg "offset" not a number: x'),
    (("scheduled", "queue", "x"), 'Jobs(): Arg "offset" not a number: x'),
    (("scheduled", "queue", ""), 'Jobs(): Arg "offset" not a number: '),
    (("scheduled", "queue", "nan"), 'Jobs(): Arg "offset" not a number: nan'),
    (("scheduled", "queue", "0", "y"), 'Jobs(): Arg "limit" not a number: y'),
    (("stalled", "queue", "0", "nan"), 'Jobs(): Arg "limit" not a number: nan'),
    (("nonsense", "queue"), 'Jobs(): Unknown type "nonsense"'),
    (("waiting", "queue"), 'Jobs(): Unknown type "waiting"'),
    (("Running", "queue"), 'Jobs(): Unknown type "Running"'),
    (("failed", "queue"), 'Jobs(): Unknown type "failed"'),
    # `complete` takes no queue: the argument after it is the offset.
    (("complete", "queue"), 'Jobs(): Arg "offset" not a number: queue'),
    (("complete", "0", "y"), 'Jobs(): Arg "limit" not a number: y'),
]


@pytest.mark.parametrize(("args", "message"), JOBS_BY_STATE_ERRORS)
def test_jobs_by_state_rejects_malformed_input(
    core: Core, args: tuple[Arg, ...], message: str
) -> None:
    # A ready scheduled job proves that a failed call promotes nothing.
    core.put(0, "jid", delay=1)
    core.fails("queue.jobsByState", 10, *args, match=message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("scheduled", "queue", "0", "inf"), 'Jobs(): Arg "limit" not a number: inf'),
        (("scheduled", "queue", "inf"), 'Jobs(): Arg "offset" not a number: inf'),
        (("depends", "queue", "-inf"), 'Jobs(): Arg "offset" not a number: -inf'),
        (("running", "queue", "0", "1e400"), 'Jobs(): Arg "limit" not a number: 1e400'),
        (("stalled", "queue", "0", "-inf"), 'Jobs(): Arg "limit" not a number: -inf'),
        (("complete", "inf"), 'Jobs(): Arg "offset" not a number: inf'),
    ],
)
def test_jobs_by_state_rejects_infinite_paging_before_promoting(
    core: Core, args: tuple[Arg, ...], message: str
) -> None:
    # Infinities parse as Lua numbers but are no rank or count Redis accepts;
    # the call must fail cleanly instead of promoting and then hitting a
    # Redis "not an integer" error.
    core.put(0, "jid", delay=1)
    core.fails("queue.jobsByState", 10, *args, match=message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("x",), 'Jobs(): Arg "offset" not a number: x'),
        (("nan",), 'Jobs(): Arg "offset" not a number: nan'),
        (("0", "y"), 'Jobs(): Arg "limit" not a number: y'),
        (("0", ""), 'Jobs(): Arg "limit" not a number: '),
        (("0", "inf"), 'Jobs(): Arg "limit" not a number: inf'),
    ],
)
def test_completed_rejects_malformed_input(core: Core, args: tuple[Arg, ...], message: str) -> None:
    complete(core, 0, "jid")
    core.fails("jobs.completed", 1, *args, match=message)


# -- empty listings ------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("running", "queue"),
        ("stalled", "queue"),
        ("throttled", "queue"),
        ("scheduled", "queue"),
        ("depends", "queue"),
        ("recurring", "queue"),
        ("complete",),
    ],
)
def test_empty_listings_are_an_empty_array(core: Core, args: tuple[str, ...]) -> None:
    assert core("queue.jobsByState", 0, *args) == "[]"


def test_empty_completed_is_an_empty_array(core: Core) -> None:
    assert core("jobs.completed", 0) == "[]"


# -- running and stalled ----------------------------------------------------------


def test_running_jobs_list_in_pop_order(core: Core) -> None:
    for i in range(10):
        core.put(0, f"jid{i}")
    for i in range(10):
        [job] = core.pop(i)
        assert job["jid"] == f"jid{9 - i}"  # equal put times pop in reverse jid
    assert by_state(core, 10, "running", "queue") == [f"jid{9 - i}" for i in range(10)]


def test_running_jobs_page_in_deadline_then_jid_order(core: Core) -> None:
    names = [f"jid-{i:02}" for i in range(100)]
    for i, jid in enumerate(names):
        core.put(i, jid)
    assert len(core.pop(100, limit=100)) == 100  # every deadline is 160
    assert by_state(core, 101, "running", "queue", 0, 50) == names[:50]
    assert by_state(core, 101, "running", "queue", 50, 50) == names[50:]
    assert by_state(core, 101, "running", "queue") == names[:25]


def test_stalled_needs_the_deadline_to_pass(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "heartbeat", 10)
    core.put(0, "jid")
    core.pop(5)  # expires 15
    assert by_state(core, 14, "stalled", "queue") == []
    assert by_state(core, 14, "running", "queue") == ["jid"]
    assert by_state(core, 25, "stalled", "queue") == ["jid"]
    assert by_state(core, 25, "running", "queue") == []


def test_a_deadline_equal_to_now_is_both_running_and_stalled(core: Core) -> None:
    core.put(0, "jid")
    core.pop(0)
    assert by_state(core, 60, "running", "queue") == ["jid"]
    assert by_state(core, 60, "stalled", "queue") == ["jid"]


def test_stalled_lists_negative_deadlines(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "heartbeat", -10)
    core.put(0, "b")
    core.put(1, "a")
    core.pop(0, limit=2)
    assert by_state(core, 0, "stalled", "queue") == ["a", "b"]
    assert by_state(core, 0, "running", "queue") == []


def test_stalled_lists_by_deadline_ascending(redis: Redis, core: Core) -> None:
    for jid in ("a", "b", "c"):
        core.put(0, jid)
    core.pop(0, limit=3)
    core("job.heartbeat", 5, "c", "worker")  # c's deadline becomes 65
    core("job.heartbeat", -5, "b", "worker")  # b's deadline becomes 55
    assert by_state(core, 100, "stalled", "queue") == ["b", "a", "c"]
    assert by_state(core, 0, "running", "queue") == ["b", "a", "c"]


def test_listing_does_not_touch_locks(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "grace-period", 0)
    core.put(0, "jid")
    core.pop(0)
    by_state(core, 100, "stalled", "queue")
    assert core.job("jid")["worker"] == "worker"
    assert redis.hget("ql:j:jid", "grace") is None


# -- skip/count paging: running, stalled, recurring -------------------------------


@pytest.mark.parametrize(
    ("offset", "limit", "expected"),
    [
        (0, 5, ["j0", "j1", "j2", "j3", "j4"]),
        (1, 2, ["j1", "j2"]),
        (0, 0, []),
        (2, 0, []),
        (1, -1, ["j1", "j2", "j3", "j4"]),
        (0, -5, ["j0", "j1", "j2", "j3", "j4"]),
        (4, 10, ["j4"]),
        (5, 10, []),
        ("0.9", "1.5", ["j0"]),
        ("1e0", "0x2", ["j1", "j2"]),
    ],
)
@pytest.mark.parametrize("state", ["running", "stalled"])
def test_lock_listings_skip_and_count(
    core: Core, state: str, offset: Arg, limit: Arg, expected: list[str]
) -> None:
    for i in range(5):
        core.put(i, f"j{i}")
    for i in range(5):
        core.pop(i)  # deadlines 60 ... 64
    now = 0 if state == "running" else 100
    assert by_state(core, now, state, "queue", offset, limit) == expected


@pytest.mark.parametrize(
    ("offset", "limit", "expected"),
    [
        (0, 25, ["r1", "r2", "r3", "r4"]),
        (0, 0, []),
        (1, -1, ["r2", "r3", "r4"]),
        (2, 1, ["r3"]),
    ],
)
def test_recurring_lists_templates_from_time_zero_on(
    redis: Redis, core: Core, offset: int, limit: int, expected: list[str]
) -> None:
    redis.zadd("ql:q:queue-recur", {"r1": 0, "r2": 5, "r4": 1000, "r3": 5, "negative": -1})
    assert by_state(core, 1, "recurring", "queue", offset, limit) == expected


# -- rank-range paging: throttled, scheduled, depends -------------------------------


@pytest.mark.parametrize(
    ("offset", "limit", "expected"),
    [
        (0, 25, ["d1", "d2", "d3", "d4", "d5"]),
        (0, 0, ["d1", "d2", "d3", "d4", "d5"]),
        (2, 0, []),
        (1, 2, ["d2", "d3"]),
        (-2, 25, ["d4", "d5"]),
        (0, -1, ["d1", "d2", "d3", "d4"]),
        (3, 10, ["d4", "d5"]),
        (9, 10, []),
        ("1.9", "2.2", ["d2", "d3"]),
    ],
)
def test_depends_pages_by_rank(core: Core, offset: Arg, limit: Arg, expected: list[str]) -> None:
    core.put(0, "parent", "other")
    for i in range(1, 6):
        core.put(i, f"d{i}", "queue", "depends", '["parent"]')
    assert by_state(core, 10, "depends", "queue", offset, limit) == expected


def test_default_limit_is_twenty_five(core: Core) -> None:
    core.put(0, "parent", "other")
    names = [f"d{i:02}" for i in range(30)]
    for i, jid in enumerate(names):
        core.put(i, jid, "queue", "depends", '["parent"]')
    assert by_state(core, 30, "depends", "queue") == names[:25]
    assert by_state(core, 30, "depends", "queue", 10) == names[10:30]


def test_equal_scores_list_by_jid_ascending(redis: Redis, core: Core) -> None:
    core.put(0, "parent", "other")
    for jid in ("b", "c", "a"):
        core.put(1, jid, "queue", "depends", '["parent"]')
    assert by_state(core, 2, "depends", "queue") == ["a", "b", "c"]
    redis.hset("ql:th:tid", mapping={"id": "tid", "maximum": 1})
    for jid in ("y", "z", "x", "w"):
        core.put(3, jid, "q2", "throttles", '["tid"]')
    core.pop(4, "q2", limit=4)  # z runs, the others are throttled at 4
    assert by_state(core, 5, "throttled", "q2") == ["w", "x", "y"]
    assert by_state(core, 5, "throttled", "q2", 1, 1) == ["x"]
    assert by_state(core, 5, "throttled", "q2", 0, 0) == ["w", "x", "y"]


def test_scheduled_lists_by_ready_time(core: Core) -> None:
    core.put(0, "late", delay=30)
    core.put(0, "b", delay=10)
    core.put(0, "a", delay=10)
    core.put(0, "early", delay=5)
    assert by_state(core, 1, "scheduled", "queue") == ["early", "a", "b", "late"]
    assert by_state(core, 1, "scheduled", "queue", 1, 2) == ["a", "b"]
    assert by_state(core, 1, "scheduled", "queue", 0, 0) == ["early", "a", "b", "late"]


def test_scheduled_promotes_every_ready_job_first(core: Core) -> None:
    for i in range(30):
        core.put(0, f"jid{i}", delay=10)
    core.put(0, "later", delay=100)
    assert by_state(core, 20, "scheduled", "queue", 0, 1) == ["later"]
    assert {core.job(f"jid{i}")["state"] for i in range(30)} == {"waiting"}
    assert core("queue.length", 20, "queue") == 31


def test_a_promoted_job_is_no_longer_scheduled(core: Core) -> None:
    core.put(0, "jid", delay=10)
    assert by_state(core, 5, "scheduled", "queue") == ["jid"]
    assert by_state(core, 20, "scheduled", "queue") == []
    assert core.job("jid")["state"] == "waiting"


def test_other_states_do_not_promote(core: Core) -> None:
    core.put(0, "jid", delay=10)
    for state in ("running", "stalled", "throttled", "depends", "recurring", "complete"):
        args = (state,) if state == "complete" else (state, "queue")
        by_state(core, 20, *args)
    assert core.job("jid")["state"] == "scheduled"


# -- complete and jobs.completed ---------------------------------------------------


def test_completed_pages_newest_first(core: Core) -> None:
    for i in range(100):
        complete(core, i, f"{i}")
    assert core.json("jobs.completed", 100, 0, 50) == [f"{i}" for i in range(99, 49, -1)]
    assert core.json("jobs.completed", 100, 50, 50) == [f"{i}" for i in range(49, -1, -1)]
    assert by_state(core, 100, "complete", 0, 50) == [f"{i}" for i in range(99, 49, -1)]
    assert by_state(core, 100, "complete", 50, 50) == [f"{i}" for i in range(49, -1, -1)]


def test_completed_defaults_to_the_newest_twenty_five(core: Core) -> None:
    for k in range(30):
        complete(core, k, f"{k}")
        expected = [f"{i}" for i in range(k, -1, -1)][:25]
        assert core.json("jobs.completed", k) == expected
        assert by_state(core, k, "complete") == expected


def test_completed_at_the_same_time_lists_by_jid_descending(core: Core) -> None:
    for jid in ("b", "c", "a"):
        complete(core, 5, jid)
    assert core.json("jobs.completed", 5) == ["c", "b", "a"]


@pytest.mark.parametrize(
    ("offset", "limit", "expected"),
    [
        (0, 0, ["4", "3", "2", "1", "0"]),
        (2, 0, []),
        (1, 2, ["3", "2"]),
        (-2, 25, ["1", "0"]),
        (0, -1, ["4", "3", "2", "1"]),
        ("0.5", "2.9", ["4", "3"]),
    ],
)
def test_completed_pages_by_rank(core: Core, offset: Arg, limit: Arg, expected: list[str]) -> None:
    for i in range(5):
        complete(core, i, f"{i}")
    assert core.json("jobs.completed", 5, offset, limit) == expected
    assert by_state(core, 5, "complete", offset, limit) == expected
