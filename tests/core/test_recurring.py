"""Recurring templates: queue.recurAtInterval, recurringJob.*, and spawning (docs/concepts.md,
Scheduled and recurring jobs)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core, events


def recur(
    core: Core,
    now: float,
    *options: Arg,
    jid: str = "jid",
    queue: str = "queue",
    interval: float = 60,
    offset: float = 0,
    klass: str = "klass",
    data: str = "{}",
) -> str:
    """queue.recurAtInterval with the usual defaults."""
    reply: str = core(
        "queue.recurAtInterval", now, queue, jid, klass, data, interval, offset, *options
    )
    return reply


def template(core: Core, jid: str = "jid") -> Any:
    return core.json("recurringJob.get", 0, jid)


def jids(jobs: list[Any]) -> list[str]:
    return [job["jid"] for job in jobs]


def put_whens(core: Core, jobs: list[Any]) -> list[int]:
    """The `when` of each job's first history entry (its nominal spawn time)."""
    return [core.job(job["jid"])["history"][0]["when"] for job in jobs]


def recur_score(redis: Redis, queue: str = "queue", jid: str = "jid") -> float | None:
    return redis.zscore(f"ql:q:{queue}-recur", jid)


# --- queue.recurAtInterval and recurringJob.get -------------------------------------------


def test_recur_writes_the_template(redis: Redis, core: Core) -> None:
    assert recur(core, 5, interval=60, offset=10) == "jid"
    assert redis.hgetall("ql:r:jid") == {
        "jid": "jid",
        "klass": "klass",
        "data": "{}",
        "priority": "0",
        "tags": "{}",
        "state": "recur",
        "queue": "queue",
        "type": "interval",
        "count": "0",
        "interval": "60",
        "retries": "0",
        "backlog": "0",
        "throttles": '["ql:q:queue"]',
    }
    assert recur_score(redis) == 15
    assert redis.zrange("ql:queues", 0, -1, withscores=True) == [("queue", 5.0)]
    assert redis.exists("ql:tags") == 0


def test_recur_keeps_a_registered_queue_first_seen_time(redis: Redis, core: Core) -> None:
    core.put(1, "other")
    recur(core, 5)
    assert redis.zscore("ql:queues", "queue") == 1


def test_get_right_after_recur(core: Core) -> None:
    recur(core, 0)
    assert template(core) == {
        "jid": "jid",
        "klass": "klass",
        "state": "recur",
        "queue": "queue",
        "priority": 0,
        "interval": 60,
        "retries": 0,
        "count": 0,
        "data": "{}",
        "tags": {},
        "backlog": 0,
        "throttles": ["ql:q:queue"],
    }


def test_get_shows_the_options(core: Core) -> None:
    options = ("priority", 10, "retries", 2, "backlog", 3, "tags", '["foo","bar"]')
    recur(core, 0, *options, "throttles", '["t"]', data='{"a": [1, 2]}', interval=1.5)
    got = template(core)
    assert got["priority"] == 10
    assert got["retries"] == 2
    assert got["backlog"] == 3
    assert got["interval"] == 1.5
    assert got["tags"] == ["foo", "bar"]
    assert got["throttles"] == ["t", "ql:q:queue"]
    assert got["data"] == '{"a": [1, 2]}'


def test_get_of_a_missing_template_is_nil(core: Core) -> None:
    assert core("recurringJob.get", 0, "nope") is None


def test_recurring_commands_publish_nothing(redis: Redis, core: Core) -> None:
    with events(redis) as capture:
        recur(core, 0, "tags", '["foo"]')
        core.pop(0)
        core.json("queue.peek", 60, "queue", 0, 5)
        core("recurringJob.get", 0, "jid")
        core("recurringJob.update", 0, "jid", "priority", 2, "queue", "other")
        core("recurringJob.addTag", 0, "jid", "bar")
        core("recurringJob.removeTag", 0, "jid", "foo")
        core("recurringJob.cancel", 0, "jid")
        assert capture.drain() == []


def test_unknown_options_are_ignored_and_numbers_parsed(redis: Redis, core: Core) -> None:
    recur(core, 0, "bogus", "x", "priority", "0x10", "priority", " 3 ")
    assert template(core)["priority"] == 3
    assert "bogus" not in redis.hgetall("ql:r:jid")


# --- spawning --------------------------------------------------------------------------------


def test_spawn_at_each_interval(core: Core) -> None:
    recur(core, 0)
    assert jids(core.pop(0)) == ["jid-1"]
    assert core.pop(59) == []
    assert jids(core.pop(61)) == ["jid-2"]
    assert core.job("jid-1")["spawned_from_jid"] == "jid"
    assert core.job("jid-2")["spawned_from_jid"] == "jid"
    assert template(core)["count"] == 2


def test_spawn_with_offset(core: Core) -> None:
    recur(core, 0, offset=10)
    assert core.pop(9) == []
    assert jids(core.pop(11)) == ["jid-1"]
    assert core.pop(69) == []
    assert jids(core.pop(71)) == ["jid-2"]


def test_peek_spawns(core: Core) -> None:
    recur(core, 0, interval=10)
    peeked = core.json("queue.peek", 99, "queue", 0, 20)
    assert jids(peeked) == [f"jid-{n}" for n in range(1, 11)]
    assert all(job["state"] == "waiting" for job in peeked)


def test_peek_spawns_on_a_paused_queue_but_pop_does_not(redis: Redis, core: Core) -> None:
    recur(core, 0)
    core("queue.pause", 0, "queue")
    assert core.pop(0) == []
    assert recur_score(redis) == 0
    assert jids(core.json("queue.peek", 0, "queue", 0, 10)) == ["jid-1"]
    assert recur_score(redis) == 60


def test_other_commands_do_not_spawn(redis: Redis, core: Core) -> None:
    recur(core, 0)
    assert core("queue.length", 10, "queue") == 0
    core("queue.counts", 10, "queue")
    core("queue.jobsByState", 10, "scheduled", "queue")
    assert core.json("queue.jobsByState", 10, "recurring", "queue") == ["jid"]
    assert recur_score(redis) == 0
    assert redis.exists("ql:j:jid-1") == 0


def test_history_uses_nominal_times(core: Core) -> None:
    recur(core, 0)
    popped = core.pop(599, limit=100)
    assert jids(popped) == [f"jid-{n}" for n in range(1, 11)]
    assert put_whens(core, popped) == list(range(0, 600, 60))


# (backlog, pop time, nominal times of the children, next score)
BACKLOG = [
    (0, 599, list(range(0, 541, 60)), 600),
    (1, 600, [540, 600], 660),
    (1, 599, [540], 600),
    (2, 600, [480, 540, 600], 660),
    (3, 590, [420, 480, 540], 600),
    (0.5, 600, [600], 660),
    (-1, 599, [], 0),
    (-1, 0, [], 0),
]


@pytest.mark.parametrize(("backlog", "at", "nominal", "score"), BACKLOG)
def test_backlog(
    redis: Redis, core: Core, backlog: float, at: float, nominal: list[int], score: float
) -> None:
    recur(core, 0, "backlog", backlog)
    popped = core.pop(at, limit=100)
    assert jids(popped) == [f"jid-{n}" for n in range(1, len(nominal) + 1)]
    assert put_whens(core, popped) == nominal
    assert recur_score(redis) == score


def test_budget_is_shared_by_templates(redis: Redis, core: Core) -> None:
    recur(core, 0, jid="b")
    recur(core, 0, jid="a")
    assert jids(core.pop(120, limit=4)) == ["b-1", "a-1", "a-2", "a-3"]
    assert recur_score(redis, jid="a") == 180
    assert recur_score(redis, jid="b") == 60


def test_rest_is_spawned_by_later_pops(redis: Redis, core: Core) -> None:
    recur(core, 0)
    assert jids(core.pop(599, limit=3)) == ["jid-1", "jid-2", "jid-3"]
    assert recur_score(redis) == 180
    assert jids(core.pop(599, limit=3)) == ["jid-4", "jid-5", "jid-6"]


def test_child_priority_orders_the_work_set(core: Core) -> None:
    core.put(0, "plain")
    recur(core, 0, "priority", 10)
    assert jids(core.pop(0, limit=2)) == ["jid-1", "plain"]


def test_spawned_child_object(core: Core) -> None:
    recur(core, 0, "priority", 10, "tags", '["foo"]', "retries", 2)
    assert core.pop(0) == [
        {
            "jid": "jid-1",
            "klass": "klass",
            "state": "running",
            "queue": "queue",
            "worker": "worker",
            "tracked": False,
            "priority": 10,
            "expires": 60,
            "retries": 2,
            "remaining": 2,
            "data": "{}",
            "tags": ["foo"],
            "history": [
                {"what": "put", "when": 0, "queue": "queue"},
                {"what": "popped", "when": 0, "worker": "worker"},
            ],
            "failure": {},
            "throttles": ["ql:q:queue"],
            "spawned_from_jid": "jid",
            "dependents": {},
            "dependencies": {},
        }
    ]


def test_children_default_to_no_retries(core: Core) -> None:
    recur(core, 0)
    (child,) = core.pop(0)
    assert (child["retries"], child["remaining"]) == (0, 0)


@pytest.mark.parametrize("data", ["[]", '{"foo": "bar"}', '"text/with/slash"', "5"])
def test_data_is_copied_verbatim(redis: Redis, core: Core, data: str) -> None:
    recur(core, 0, data=data)
    assert redis.hget("ql:r:jid", "data") == data
    assert core.pop(0)[0]["data"] == data


def test_child_hash_fields(redis: Redis, core: Core) -> None:
    recur(core, 3, "tags", '["a", "b"]', "throttles", '["t"]', offset=-3)
    core.json("queue.peek", 30, "queue", 0, 1)
    child = redis.hgetall("ql:j:jid-1")
    assert child["time"] == "0.00000000000000000000"
    assert child["tags"] == '["a","b"]'
    assert child["throttles"] == '["t","ql:q:queue"]'
    assert child["state"] == "waiting"
    assert child["spawned_from_jid"] == "jid"
    assert redis.zscore("ql:q:queue-work", "jid-1") == 0


def test_children_are_tagged_at_now(redis: Redis, core: Core) -> None:
    recur(core, 0, "tags", '["foo"]')
    core.pop(125, limit=10)
    tagged = core.json("jobs.tagged", 0, "foo")
    assert tagged == {"total": 3, "jobs": ["jid-1", "jid-2", "jid-3"]}
    assert redis.zrange("ql:t:foo", 0, -1, withscores=True) == [
        ("jid-1", 125.0),
        ("jid-2", 125.0),
        ("jid-3", 125.0),
    ]
    assert redis.zscore("ql:tags", "foo") == 3


def test_wait_is_measured_from_the_nominal_time(core: Core) -> None:
    recur(core, 0)
    core.pop(30)
    stats = core.json("queue.stats", 0, "queue", 30)
    assert (stats["wait"]["count"], stats["wait"]["mean"]) == (1, 30)


def test_fractional_offset_is_floored_at_first_spawn(redis: Redis, core: Core) -> None:
    recur(core, 0, offset=0.7)
    assert core.json("queue.peek", 0, "queue", 0, 10) == []
    assert jids(core.json("queue.peek", 1, "queue", 0, 10)) == ["jid-1"]
    assert redis.hget("ql:j:jid-1", "time") == "0.00000000000000000000"
    assert recur_score(redis) == 60


def test_fractional_interval_reuses_a_nominal_time(redis: Redis, core: Core) -> None:
    recur(core, 0, interval=0.5)
    assert len(core.json("queue.peek", 2, "queue", 0, 100)) == 5
    assert recur_score(redis) == 2.5
    core.json("queue.peek", 3, "queue", 0, 100)
    assert template(core)["count"] == 8
    times = [float(redis.hget(f"ql:j:jid-{n}", "time") or "nan") for n in range(1, 9)]
    assert times == [0, 0.5, 1, 1.5, 2, 2, 2.5, 3]
    assert recur_score(redis) == 3.5


def test_negative_schedule_start_never_spawns(redis: Redis, core: Core) -> None:
    recur(core, 0, offset=-10)
    for now in (0, 100, 1000):
        assert core.pop(now, limit=10) == []
    assert recur_score(redis) == -10


# --- re-recurring ----------------------------------------------------------------------------


def test_re_recur_keeps_count(core: Core) -> None:
    recur(core, 0)
    core.pop(0)
    recur(core, 10, klass="other")
    assert template(core)["count"] == 1
    assert jids(core.pop(10)) == ["jid-2"]


def test_re_recur_into_another_queue_moves_it(redis: Redis, core: Core) -> None:
    recur(core, 0)
    core.pop(0)
    recur(core, 60, queue="other")
    assert recur_score(redis) is None
    assert core.pop(60) == []
    (child,) = core.pop(60, queue="other")
    assert child["jid"] == "jid-2"
    assert child["throttles"] == ["ql:q:other"]


def test_re_recur_replaces_every_attribute(core: Core) -> None:
    recur(core, 0, "priority", 10, "tags", '["foo"]', "retries", 2)
    core.pop(0)
    options = ("priority", 5, "tags", '["bar"]', "retries", 5, "throttles", '["lala"]')
    recur(core, 60, *options, klass="class", data='{"foo": "bar"}', interval=10)
    (child,) = core.pop(60)
    assert child["jid"] == "jid-2"
    assert child["klass"] == "class"
    assert child["data"] == '{"foo": "bar"}'
    assert child["priority"] == 5
    assert child["tags"] == ["bar"]
    assert (child["retries"], child["remaining"]) == (5, 5)
    assert child["throttles"] == ["lala", "ql:q:queue"]
    assert child["expires"] == 120
    assert child["history"] == [
        {"what": "put", "when": 60, "queue": "queue"},
        {"what": "popped", "when": 60, "worker": "worker"},
    ]


# (first recur's queue or None, option of the re-recur, re-recur queue, resulting throttles)
THROTTLE_LISTS: list[tuple[str | None, str | None, str, list[str]]] = [
    (None, None, "queue", ["ql:q:queue"]),
    (None, '["queue"]', "queue", ["queue", "ql:q:queue"]),
    ("queue", None, "queue", ["ql:q:queue"]),
    ("queue", '["lala"]', "queue", ["lala", "ql:q:queue"]),
    ("queue", '["ql:q:queue"]', "queue", ["ql:q:queue", "ql:q:queue"]),
    ("queue", '["ql:q:queue","queue","x"]', "queue", ["ql:q:queue", "x", "ql:q:queue"]),
    ("queue", '["queue","queue","y"]', "queue", ["queue", "y", "ql:q:queue"]),
    ("queue", '["queue","other"]', "other", ["other", "ql:q:other"]),
    ("queue", "[]", "queue", ["ql:q:queue"]),
]


@pytest.mark.parametrize(("first", "option", "queue", "expected"), THROTTLE_LISTS)
def test_throttle_list(
    core: Core, first: str | None, option: str | None, queue: str, expected: list[str]
) -> None:
    if first is not None:
        recur(core, 0, "throttles", '["old"]', queue=first)
    options: tuple[Arg, ...] = () if option is None else ("throttles", option)
    recur(core, 0, *options, queue=queue)
    assert template(core)["throttles"] == expected
    assert core.pop(0, queue=queue)[0]["throttles"] == expected


# --- recurringJob.update ---------------------------------------------------------------------


def test_update_returns_one(core: Core) -> None:
    recur(core, 0)
    assert core("recurringJob.update", 0, "jid") == 1
    assert core("recurringJob.update", 0, "jid", "priority", 3) == 1


@pytest.mark.parametrize(
    ("key", "value", "field", "expected"),
    [
        ("priority", "10", "priority", 10),
        ("retries", "2", "retries", 2),
        ("data", '{"foo": "bar"}', "data", '{"foo": "bar"}'),
        ("klass", "class", "klass", "class"),
        ("throttles", '["throttle"]', "throttles", ["throttle"]),
        ("throttles", "[ ]", "throttles", {}),
    ],
)
def test_update_affects_later_children(
    core: Core, key: str, value: str, field: str, expected: Any
) -> None:
    recur(core, 0)
    (first,) = core.pop(0)
    core("recurringJob.update", 0, "jid", key, value)
    (second,) = core.pop(60)
    assert second[field] == expected
    assert core.job("jid-1")[field] == first[field]


def test_update_retries_sets_remaining(core: Core) -> None:
    recur(core, 0)
    core("recurringJob.update", 0, "jid", "retries", 2)
    (child,) = core.pop(0)
    assert (child["retries"], child["remaining"]) == (2, 2)


def test_update_throttles_is_re_encoded(redis: Redis, core: Core) -> None:
    recur(core, 0)
    core("recurringJob.update", 0, "jid", "throttles", '[ "a" , "b/c" ]')
    assert redis.hget("ql:r:jid", "throttles") == '["a","b\\/c"]'
    core("recurringJob.update", 0, "jid", "throttles", "[]")
    assert redis.hget("ql:r:jid", "throttles") == "{}"
    assert template(core)["throttles"] == {}


def test_update_backlog(redis: Redis, core: Core) -> None:
    recur(core, 0)
    core("recurringJob.update", 0, "jid", "backlog", 1)
    assert template(core)["backlog"] == 1
    assert put_whens(core, core.pop(600, limit=100)) == [540, 600]


def test_update_interval_shifts_the_schedule(redis: Redis, core: Core) -> None:
    recur(core, 0)
    core.pop(0)
    assert recur_score(redis) == 60
    core("recurringJob.update", 0, "jid", "interval", 10)
    assert recur_score(redis) == 10
    popped = core.pop(60, limit=10)
    assert jids(popped) == [f"jid-{n}" for n in range(2, 8)]
    assert put_whens(core, popped) == [10, 20, 30, 40, 50, 60]


def test_update_interval_pairs_compose(redis: Redis, core: Core) -> None:
    recur(core, 0, interval=100)
    core.pop(0)
    assert recur_score(redis) == 100
    core("recurringJob.update", 0, "jid", "interval", 10)
    assert recur_score(redis) == 10
    core("recurringJob.update", 0, "jid", "interval", 1, "interval", 0.5)
    assert recur_score(redis) == 0.5
    assert template(core)["interval"] == 0.5


def test_update_interval_never_moves_the_next_spawn_before_now(redis: Redis, core: Core) -> None:
    # The original shifted the score by the change (20 - 90 = -70), a time no pop
    # ever reaches; the next spawn is now, then every new interval.
    recur(core, 0, interval=100, offset=20)
    core("recurringJob.update", 0, "jid", "interval", 10)
    assert recur_score(redis) == 0
    assert put_whens(core, core.pop(25, limit=10)) == [0, 10, 20]


def test_update_interval_before_the_first_spawn_makes_no_burst(redis: Redis, core: Core) -> None:
    # Issue 8.4: a daily template changed to two-hourly before its first spawn put
    # its next spawn 79,200 s in the past, and one pop spawned 12 jobs.
    recur(core, 1000, interval=86400)
    core("recurringJob.update", 1000, "jid", "interval", 7200)
    assert recur_score(redis) == 1000
    assert put_whens(core, core.pop(1001, limit=100)) == [1000]
    assert recur_score(redis) == 8200


def test_update_interval_longer_moves_the_next_spawn_later(redis: Redis, core: Core) -> None:
    recur(core, 0, interval=60)
    core.pop(0)
    core("recurringJob.update", 30, "jid", "interval", 600)
    assert recur_score(redis) == 600


def test_update_interval_shorter_keeps_a_due_backlog(redis: Redis, core: Core) -> None:
    # Already due (no pop for a while): the spawn time stays where it was.
    recur(core, 0, interval=60)
    core.pop(0)
    core("recurringJob.update", 500, "jid", "interval", 10)
    assert recur_score(redis) == 60


def test_update_queue_moves_the_template(redis: Redis, core: Core) -> None:
    recur(core, 0)
    core.pop(0)
    core("recurringJob.update", 30, "jid", "queue", "other")
    assert recur_score(redis) is None
    assert recur_score(redis, queue="other") == 60
    assert redis.zscore("ql:queues", "other") == 30
    assert template(core)["queue"] == "other"
    assert template(core)["throttles"] == ["ql:q:other"]
    assert core.pop(60) == []
    (child,) = core.pop(60, queue="other")
    assert child["jid"] == "jid-2"
    assert child["throttles"] == ["ql:q:other"]


def test_update_queue_to_the_same_queue_is_harmless(redis: Redis, core: Core) -> None:
    recur(core, 0, "throttles", '["t"]', offset=5)
    core("recurringJob.update", 0, "jid", "queue", "queue")
    assert template(core)["throttles"] == ["t", "ql:q:queue"]
    assert recur_score(redis) == 5


def test_update_queue_strips_with_the_skip_quirk(core: Core) -> None:
    recur(core, 0)
    core("recurringJob.update", 0, "jid", "throttles", '["ql:q:queue","ql:q:queue","x"]')
    core("recurringJob.update", 0, "jid", "queue", "other")
    assert template(core)["throttles"] == ["ql:q:queue", "x", "ql:q:other"]


def test_update_pairs_apply_in_order(redis: Redis, core: Core) -> None:
    recur(core, 0, jid="a")
    recur(core, 0, jid="b")
    core("recurringJob.update", 0, "a", "throttles", '["x"]', "queue", "other")
    core("recurringJob.update", 0, "b", "queue", "other", "throttles", '["x"]')
    assert template(core, "a")["throttles"] == ["x", "ql:q:other"]
    assert template(core, "b")["throttles"] == ["x"]
    core(
        "recurringJob.update", 7, "a", "queue", "mid", "queue", "last", "priority", 1, "priority", 2
    )
    assert redis.zscore("ql:queues", "mid") == 7
    assert recur_score(redis, queue="last", jid="a") == 0
    assert template(core, "a")["priority"] == 2


def test_update_only_changes_later_children(core: Core) -> None:
    recur(core, 0, "priority", 1)
    core.pop(0)
    core("recurringJob.update", 0, "jid", "priority", 9, "klass", "k2")
    job = core.job("jid-1")
    assert (job["priority"], job["klass"]) == (1, "klass")


# --- recurringJob.cancel ---------------------------------------------------------------------


def test_cancel(redis: Redis, core: Core) -> None:
    recur(core, 0)
    core.pop(0)
    assert core("recurringJob.cancel", 0, "jid") == 1
    assert redis.exists("ql:r:jid") == 0
    assert recur_score(redis) is None
    assert core.pop(60) == []
    assert core.job("jid-1")["state"] == "running"
    assert core("recurringJob.get", 0, "jid") is None


def test_cancel_of_a_missing_template(redis: Redis, core: Core) -> None:
    assert core("recurringJob.cancel", 0, "nope") == 1
    assert redis.keys("*") == []


def test_child_names_are_reused_after_cancel(redis: Redis, core: Core) -> None:
    recur(core, 0)
    core.pop(0)
    core("job.complete", 1, "jid-1", "worker", "queue", "{}")
    core("recurringJob.cancel", 2, "jid")
    recur(core, 10, klass="again")
    assert template(core)["count"] == 0
    (child,) = core.pop(10, worker="w2")
    assert child["jid"] == "jid-1"
    assert child["klass"] == "again"
    assert child["worker"] == "w2"
    assert [(e["what"], e["when"]) for e in child["history"]] == [
        ("put", 0),
        ("popped", 0),
        ("done", 1),
        ("put", 10),
        ("popped", 10),
    ]


# --- recurringJob.addTag / removeTag -----------------------------------------------------------


def test_add_tag(redis: Redis, core: Core) -> None:
    recur(core, 0)
    assert core("recurringJob.addTag", 0, "jid", "foo", "foo", "bar") == '["foo","foo","bar"]'
    assert redis.hget("ql:r:jid", "tags") == '["foo","foo","bar"]'
    assert core("recurringJob.addTag", 0, "jid", "foo", "baz") == '["foo","foo","bar","baz"]'
    assert redis.keys("ql:t*") == []


def test_add_no_tag_stores_an_empty_list_as_brackets(redis: Redis, core: Core) -> None:
    recur(core, 0)
    assert core("recurringJob.addTag", 0, "jid") == "[]"
    assert redis.hget("ql:r:jid", "tags") == "[]"
    (child,) = core.pop(0)
    assert child["tags"] == {}
    assert redis.hget("ql:j:jid-1", "tags") == "[]"


def test_added_tag_reaches_the_next_child(core: Core) -> None:
    recur(core, 0)
    core("recurringJob.addTag", 0, "jid", "foo")
    assert core.pop(0)[0]["tags"] == ["foo"]
    assert core.json("jobs.tagged", 0, "foo")["jobs"] == ["jid-1"]


def test_remove_tag(redis: Redis, core: Core) -> None:
    recur(core, 0, "tags", '["a","foo","b","foo","c"]')
    assert core("recurringJob.removeTag", 0, "jid", "foo", "missing") == '["a","b","c"]'
    assert core("recurringJob.removeTag", 0, "jid", "c", "a") == '["b"]'
    assert core("recurringJob.removeTag", 0, "jid", "b") == "{}"
    assert redis.hget("ql:r:jid", "tags") == "{}"
    assert core("recurringJob.removeTag", 0, "jid") == "{}"
    assert redis.keys("ql:t*") == []


def test_removed_tag_is_gone_from_the_next_child(core: Core) -> None:
    recur(core, 0, "tags", '["foo"]')
    core("recurringJob.removeTag", 0, "jid", "foo")
    assert core.pop(0)[0]["tags"] == {}


def test_numeric_template_tags_compare_by_name(core: Core) -> None:
    recur(core, 0, "tags", "[3]")
    assert core("recurringJob.addTag", 0, "jid", "3", "4") == '[3,"4"]'
    assert core("recurringJob.removeTag", 0, "jid", "3") == '["4"]'


# --- malformed input -------------------------------------------------------------------------

BASE: tuple[Arg, ...] = ("queue", "jid", "klass", "{}", 60, 0)

RECUR_MALFORMED: list[tuple[tuple[Arg, ...], str]] = [
    ((), "Queue(): no queue name provided"),
    (("queue",), 'Recur(): Arg "jid" missing'),
    (("queue", "jid"), 'Recur(): Arg "klass" missing'),
    (("queue", "jid", "klass"), 'Recur(): Arg "data" not JSON: nil'),
    (("queue", "jid", "klass", "{"), 'Recur(): Arg "data" not JSON: {'),
    (("queue", "jid", "klass", "false"), 'Recur(): Arg "data" not JSON: false'),
    (("queue", "jid", "klass", "{}"), 'Recur(): Arg "interval" not a number: nil'),
    (("queue", "jid", "klass", "{}", "abc"), 'Recur(): Arg "interval" not a number: abc'),
    (("queue", "jid", "klass", "{}", "nan", 0), 'Recur(): Arg "interval" not a number: nan'),
    (("queue", "jid", "klass", "{}", "inf", 0), 'Recur(): Arg "interval" not a number: inf'),
    (("queue", "jid", "klass", "{}", "abc", "x"), 'Recur(): Arg "interval" not a number: abc'),
    (("queue", "jid", "klass", "{}", 60), 'Recur(): Arg "offset" not a number: nil'),
    (("queue", "jid", "klass", "{}", 0, "x"), 'Recur(): Arg "offset" not a number: x'),
    (("queue", "jid", "klass", "{}", 60, "-inf"), 'Recur(): Arg "offset" not a number: -inf'),
    (("queue", "jid", "klass", "{}", 0, 0), 'Recur(): Arg "interval" must be greater than 0'),
    (("queue", "jid", "klass", "{}", -1, 0), 'Recur(): Arg "interval" must be greater than 0'),
    ((*BASE, "priority"), "Recur(): Odd number of additional args: "),
    ((*BASE, "priority", 1, "tags"), "Recur(): Odd number of additional args: "),
    ((*BASE, "tags", "["), 'Recur(): Arg "tags" must be JSON string array: ['),
    ((*BASE, "tags", "false"), 'Recur(): Arg "tags" must be JSON string array: false'),
    ((*BASE, "tags", '{"a":1}'), 'Recur(): Arg "tags" must be JSON string array: {"a":1}'),
    ((*BASE, "tags", "[{}]"), 'Recur(): Arg "tags" must be JSON string array: [{}]'),
    ((*BASE, "tags", "[true]"), 'Recur(): Arg "tags" must be JSON string array: [true]'),
    ((*BASE, "tags", '"foo"'), 'Recur(): Arg "tags" must be JSON string array: "foo"'),
    ((*BASE, "tags", "[", "priority", "x"), 'Recur(): Arg "tags" must be JSON string array'),
    ((*BASE, "priority", "x"), 'Recur(): Arg "priority" not a number: x'),
    ((*BASE, "priority", "nan"), 'Recur(): Arg "priority" not a number: nan'),
    ((*BASE, "priority", "inf"), 'Recur(): Arg "priority" not a number: inf'),
    ((*BASE, "priority", "x", "retries", "y"), 'Recur(): Arg "priority" not a number: x'),
    ((*BASE, "retries", "y"), 'Recur(): Arg "retries" not a number: y'),
    ((*BASE, "retries", "-inf"), 'Recur(): Arg "retries" not a number: -inf'),
    ((*BASE, "backlog", "z"), 'Recur(): Arg "backlog" not a number: z'),
    ((*BASE, "backlog", "", "throttles", "{"), 'Recur(): Arg "backlog" not a number: '),
    ((*BASE, "throttles", "{"), 'Recur(): Arg "throttles" not JSON array: {'),
    ((*BASE, "throttles", "false"), 'Recur(): Arg "throttles" not JSON array: false'),
    ((*BASE, "throttles", "[1]"), 'Recur(): Arg "throttles" not JSON array: [1]'),
    ((*BASE, "throttles", '"t"'), 'Recur(): Arg "throttles" not JSON array: "t"'),
    ((*BASE, "throttles", '{"a":"b"}'), 'Recur(): Arg "throttles" not JSON array: {"a":"b"}'),
]


@pytest.mark.parametrize(("args", "match"), RECUR_MALFORMED)
def test_recur_malformed(core: Core, args: tuple[Arg, ...], match: str) -> None:
    recur(core, 0, "tags", '["keep"]', "throttles", '["t"]')
    core.pop(0)
    core.fails("queue.recurAtInterval", 5, *args, match=match)


UPDATE_MALFORMED: list[tuple[tuple[Arg, ...], str]] = [
    ((), "Recurring(): no jid provided"),
    (("nope",), "Recur(): No recurring job nope"),
    (("nope", "priority", "x"), "Recur(): No recurring job nope"),
    (("jid", "priority"), "No value provided for priority"),
    (("jid", "priority", 5, "klass"), "No value provided for klass"),
    (("jid", "priority", "x"), 'Recur(): Arg "priority" must be a number: x'),
    (("jid", "priority", "nan"), 'Recur(): Arg "priority" must be a number: nan'),
    (("jid", "retries", "x"), 'Recur(): Arg "retries" must be a number: x'),
    (("jid", "retries", "inf"), 'Recur(): Arg "retries" must be a number: inf'),
    (("jid", "interval", "x"), 'Recur(): Arg "interval" must be a number: x'),
    (("jid", "interval", 0), 'Recur(): Arg "interval" must be greater than 0'),
    (("jid", "interval", -10), 'Recur(): Arg "interval" must be greater than 0'),
    (("jid", "backlog", "x"), 'Recur(): Arg "backlog" not a number: x'),
    (("jid", "data", "{"), 'Recur(): Arg "data" is not JSON-encoded: {'),
    (("jid", "data", "false"), 'Recur(): Arg "data" is not JSON-encoded: false'),
    (("jid", "throttles", "{"), 'Recur(): Arg "throttles" is not JSON-encoded: {'),
    (("jid", "throttles", "false"), 'Recur(): Arg "throttles" is not JSON-encoded: false'),
    (("jid", "throttles", "[1]"), 'Recur(): Arg "throttles" is not JSON-encoded: [1]'),
    (("jid", "throttles", '{"a":"b"}'), 'Recur(): Arg "throttles" is not JSON-encoded'),
    (("jid", "tags", "[]"), 'Recur(): Unrecognized option "tags"'),
    (("jid", "priority", 5, "bogus", 1), 'Recur(): Unrecognized option "bogus"'),
    (("jid", "queue", "other", "interval", "x"), 'Recur(): Arg "interval" must be a number'),
    (("jid", "interval", 10, "data", "["), 'Recur(): Arg "data" is not JSON-encoded: ['),
    (("jid", "throttles", "[]", "retries", "r"), 'Recur(): Arg "retries" must be a number'),
]


@pytest.mark.parametrize(("args", "match"), UPDATE_MALFORMED)
def test_update_malformed(core: Core, args: tuple[Arg, ...], match: str) -> None:
    """Every pair is validated before any is applied (the original applied earlier pairs)."""
    recur(core, 0, "priority", 1)
    core.pop(0)
    core.fails("recurringJob.update", 5, *args, match=match)


TEMPLATE_MALFORMED: list[tuple[str, tuple[Arg, ...], str]] = [
    ("recurringJob.get", (), "Recurring(): no jid provided"),
    ("recurringJob.cancel", (), "Recurring(): no jid provided"),
    ("recurringJob.addTag", (), "Recurring(): no jid provided"),
    ("recurringJob.addTag", ("nope", "foo"), "Tag(): Job nope does not exist"),
    ("recurringJob.addTag", ("jid-1", "foo"), "Tag(): Job jid-1 does not exist"),
    ("recurringJob.removeTag", (), "Recurring(): no jid provided"),
    ("recurringJob.removeTag", ("nope", "foo"), "Untag(): Job nope does not exist"),
]


@pytest.mark.parametrize(("command", "args", "match"), TEMPLATE_MALFORMED)
def test_template_commands_malformed(
    core: Core, command: str, args: tuple[Arg, ...], match: str
) -> None:
    recur(core, 0, "tags", '["foo"]')
    core.pop(0)
    core.fails(command, 5, *args, match=match)


def test_template_survives_json_round_trip(core: Core) -> None:
    recur(core, 0, "tags", '["a/b"]', data='{"x": "a/b"}')
    raw = core("recurringJob.get", 0, "jid")
    assert '"a\\/b"' in raw
    assert json.loads(raw)["data"] == '{"x": "a/b"}'
