"""Fair groups inside a queue, decided by pop (docs/concepts.md, Fair groups).

Each group's first job is the only one in the queue's work set, scored by the
group's turn; popping it gives the group its next head behind every group that
waited longer. See reqless/core/lua/src/lib/group.lua.
"""

from __future__ import annotations

import json
from typing import Any

from redis import Redis

from tests.core.keyspace import check_invariants, read_keyspace
from tests.helpers import Core


def put(core: Core, now: float, jid: str, group: str | None, *options: Any) -> None:
    extra = ("group", group) if group else ()
    core.put(now, jid, "queue", *extra, *options)


def drain(core: Core, now: float, limit: int = 1) -> list[str]:
    """Pop one job at a time (a second apart) until the queue is empty; the jids."""
    order: list[str] = []
    while jobs := core.pop(now, limit=limit):
        order += [job["jid"] for job in jobs]
        now += 1
    return order


def consistent(redis: Redis) -> None:
    problems = check_invariants(read_keyspace(redis))
    assert not problems, problems


def test_groups_of_equal_priority_are_served_in_turn(core: Core, redis: Redis) -> None:
    for i in range(6):
        put(core, 10 + i / 1000, f"a{i}", "A")
    put(core, 20, "b0", "B")
    put(core, 20.001, "b1", "B")
    put(core, 30, "c0", "C")
    consistent(redis)
    assert drain(core, 100) == ["a0", "b0", "c0", "a1", "b1", "a2", "a3", "a4", "a5"]
    consistent(redis)


def test_a_small_group_is_not_stuck_behind_a_big_one(core: Core) -> None:
    core("queue.putMany", 1, "w", "queue", *[
        arg for i in range(500) for arg in (f"a{i}", "K", "{}", 0, 2, "group", "A")
    ])  # fmt: skip
    assert [job["jid"] for job in core.pop(2, limit=3)] == ["a0", "a1", "a2"]
    for i in range(3):
        put(core, 3 + i / 1000, f"b{i}", "B")
    started = drain(core, 4)[:8]
    # A was last served before B came, so A goes first; then they alternate:
    # B's three jobs start within the next six pops.
    assert started == ["a3", "b0", "a4", "b1", "a5", "b2", "a6", "a7"]


def test_jobs_without_a_group_take_turns_like_groups_of_one(core: Core) -> None:
    for i in range(3):
        put(core, 1 + i / 1000, f"a{i}", "A")
    put(core, 2, "plain1", None)
    put(core, 3, "plain2", None)
    assert drain(core, 10) == ["a0", "plain1", "plain2", "a1", "a2"]


def test_priorities_stay_strict_across_groups(core: Core, redis: Redis) -> None:
    put(core, 1, "a-low", "A")
    put(core, 2, "b-low", "B")
    put(core, 3, "b-high", "B", "priority", 5)
    put(core, 4, "plain-mid", None, "priority", 2)
    consistent(redis)
    assert drain(core, 10) == ["b-high", "plain-mid", "a-low", "b-low"]


def test_a_weighted_group_takes_that_many_jobs_per_turn(core: Core) -> None:
    assert core("queue.group.weight", 0, "queue", "A", 3) == 3
    for i in range(7):
        put(core, 1 + i / 1000, f"a{i}", "A")
        put(core, 1.5 + i / 1000, f"b{i}", "B")
    order = drain(core, 10)
    assert order[:8] == ["a0", "a1", "a2", "b0", "a3", "a4", "a5", "b1"]
    groups = core.json("queue.groups", 100, "queue")
    assert groups == []


def test_one_pop_takes_several_jobs_of_one_group(core: Core) -> None:
    for i in range(5):
        put(core, 1 + i / 1000, f"a{i}", "A")
    assert [job["jid"] for job in core.pop(2, limit=4)] == ["a0", "a1", "a2", "a3"]


def test_counts_listing_and_group_jobs(core: Core, redis: Redis) -> None:
    for i in range(4):
        put(core, 1 + i / 1000, f"a{i}", "A")
    put(core, 2, "b0", "B")
    put(core, 3, "plain", None)
    counts = core.json("queue.counts", 4, "queue")
    assert counts["waiting"] == 6
    assert core("queue.length", 4, "queue") == 6
    groups = core.json("queue.groups", 4, "queue")
    assert [(g["group"], g["waiting"], g["weight"], g["parked"]) for g in groups] == [
        ("A", 4, 1, False), ("B", 1, 1, False),
    ]  # fmt: skip
    assert core.json("queue.group.jobs", 4, "queue", "A") == ["a0", "a1", "a2", "a3"]
    assert core.json("queue.group.jobs", 4, "queue", "A", 1, 2) == ["a1", "a2"]
    assert core.job("a1")["group"] == "A"
    assert "group" not in core.job("plain")
    # Only each group's head is in the work set.
    assert sorted(redis.zrange("ql:q:queue-work", 0, -1)) == ["a0", "b0", "plain"]


def test_cancel_move_and_reput_keep_groups_consistent(core: Core, redis: Redis) -> None:
    for i in range(3):
        put(core, 1 + i / 1000, f"a{i}", "A")
    core("job.cancel", 2, "a0")  # the head: a1 takes its place
    consistent(redis)
    core.put(3, "a1", "other", "group", "A")  # moved to another queue, same group name
    consistent(redis)
    core.put(4, "a2", "queue")  # re-put without a group: leaves it
    consistent(redis)
    assert "group" not in core.job("a2")
    assert core.json("queue.groups", 5, "queue") == []
    assert drain(core, 6) == ["a2"]
    assert [job["jid"] for job in core.pop(7, queue="other")] == ["a1"]
    consistent(redis)
    assert [k for k in redis.keys("ql:q:*") if "group" in k or "-g:" in k] == []


def test_priority_change_moves_a_job_within_its_group(core: Core, redis: Redis) -> None:
    for i in range(3):
        put(core, 1 + i / 1000, f"a{i}", "A")
    core("job.setPriority", 2, "a2", 10)
    consistent(redis)
    assert drain(core, 3) == ["a2", "a0", "a1"]


def test_a_head_held_by_a_throttle_parks_its_group_only(core: Core, redis: Redis) -> None:
    core("throttle.set", 0, "one", 1)
    put(core, 1, "a0", "A", "throttles", json.dumps(["one"]))
    put(core, 1.001, "a1", "A", "throttles", json.dumps(["one"]))
    put(core, 1.002, "a2", "A")
    put(core, 2, "b0", "B")
    assert [job["jid"] for job in core.pop(3)] == ["a0"]
    # a1 is held on `one`: group A parks (a2 may not overtake it); B goes on.
    assert [job["jid"] for job in core.pop(4, limit=5)] == ["b0"]
    consistent(redis)
    groups = core.json("queue.groups", 5, "queue")
    assert [(g["group"], g["parked"]) for g in groups] == [("A", "a1")]
    assert core.pop(5) == []
    core("job.complete", 6, "a0", "worker", "queue", "{}")  # frees `one`: a1 comes back
    consistent(redis)
    assert drain(core, 7) == ["a1", "a2"]
    consistent(redis)


def test_cancelling_the_held_job_unparks_its_group(core: Core, redis: Redis) -> None:
    core("throttle.set", 0, "one", 1)
    put(core, 1, "a0", "A", "throttles", json.dumps(["one"]))
    put(core, 1.001, "a1", "A", "throttles", json.dumps(["one"]))
    put(core, 1.002, "a2", "A")
    core.pop(2, limit=2)
    assert core.json("queue.groups", 3, "queue")[0]["parked"] == "a1"
    core("job.cancel", 3, "a1")
    consistent(redis)
    assert drain(core, 4) == ["a2"]


def test_grouped_jobs_come_through_every_way_into_work(core: Core, redis: Redis) -> None:
    core.put(1, "dep", "queue")
    put(core, 1, "after-dep", "A", "depends", json.dumps(["dep"]))
    core.put(1, "later", "queue", "group", "A", delay=5)
    put(core, 1, "to-retry", "B")
    consistent(redis)
    assert sorted(job["jid"] for job in core.pop(2, limit=2)) == ["dep", "to-retry"]
    core("job.retry", 3, "to-retry", "queue", "worker", 0)
    core("job.complete", 3, "dep", "worker", "queue", "{}")
    consistent(redis)
    assert sorted(drain(core, 10)) == ["after-dep", "later", "to-retry"]
    consistent(redis)


def test_complete_and_requeue_keeps_the_group(core: Core, redis: Redis) -> None:
    put(core, 1, "a0", "A")
    core.pop(2)
    core("job.completeAndRequeue", 3, "a0", "worker", "queue", "{}", "next")
    consistent(redis)
    assert core.job("a0")["group"] == "A"
    assert core.json("queue.groups", 4, "next")[0]["group"] == "A"


def test_bad_group_names_and_weights_are_refused(core: Core) -> None:
    core.fails("queue.put", 1, "w", "queue", "j", "K", "{}", 0, "group", "",
               match='Arg "group" must be 1 to 256 bytes')  # fmt: skip
    core.fails("queue.put", 1, "w", "queue", "j", "K", "{}", 0, "group", "a\nb",
               match='Arg "group"')  # fmt: skip
    core.fails("queue.put", 1, "w", "queue", "j", "K", "{}", 0, "group", "x" * 257,
               match='Arg "group"')  # fmt: skip
    for weight in ("0", "-1", "1.5", "1001", "many", "inf"):
        core.fails("queue.group.weight", 1, "queue", "A", weight, match='Arg "weight"')
    core.fails("queue.groups", 1, match='Arg "queue" missing')
    core.fails("queue.group.jobs", 1, "queue", match='Arg "group" missing')


def test_put_many_with_groups(core: Core, redis: Redis) -> None:
    core("queue.putMany", 1, "w", "queue",
         "a0", "K", "{}", 0, 2, "group", "A",
         "a1", "K", "{}", 0, 2, "group", "A",
         "b0", "K", "{}", 0, 2, "group", "B",
         "p0", "K", "{}", 0, 0)  # fmt: skip
    consistent(redis)
    assert drain(core, 2) == ["a0", "b0", "p0", "a1"]


def test_one_pop_of_many_jobs_follows_turns_and_weights(core: Core) -> None:
    for i in range(4):
        put(core, 1 + i / 1000, f"a{i}", "A")
        put(core, 2 + i / 1000, f"b{i}", "B")
    assert [job["jid"] for job in core.pop(3, limit=6)] == ["a0", "b0", "a1", "b1", "a2", "b2"]
    core("job.cancel", 4, "a3", "b3")
    core("queue.group.weight", 4, "queue", "A", 2)
    for i in range(4):
        put(core, 5 + i / 1000, f"c{i}", "A")
        put(core, 6 + i / 1000, f"d{i}", "B")
    assert [job["jid"] for job in core.pop(7, limit=6)] == ["c0", "c1", "d0", "c2", "c3", "d1"]
