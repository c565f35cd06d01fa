"""Queue listings (docs/core-commands.md, queues.counts): queues.counts and queues.names."""

from __future__ import annotations

from typing import Any

from redis import Redis

from tests.helpers import Core, snapshot


def counts(name: str, **values: Any) -> dict[str, Any]:
    """A count object with every number 0 and `paused` false, overridden by `values`."""
    base: dict[str, Any] = {
        "name": name,
        "waiting": 0,
        "stalled": 0,
        "running": 0,
        "throttled": 0,
        "scheduled": 0,
        "depends": 0,
        "recurring": 0,
        "paused": False,
    }
    base.update(values)
    return base


def test_empty_lists_are_brackets(core: Core) -> None:
    assert core("queues.counts", 0) == "[]"
    assert core("queues.names", 0) == "[]"
    # queue.counts without a name writes the same empty array as {} (docs/core-commands.md,
    # queue.counts).
    assert core("queue.counts", 0) == "{}"


def test_fresh_queue_with_one_waiting_job(core: Core) -> None:
    core.put(0, "jid")
    assert core.json("queues.counts", 1) == [counts("queue", waiting=1)]
    assert core("queues.names", 1) == '["queue"]'


def test_queues_are_ordered_by_first_seen_then_name(core: Core) -> None:
    core.put(5, "late", "zzz")
    for i in reversed(range(10)):
        core.put(0, f"jid{i}", f"queue-{i}")
    core.put(9, "again", "queue-9")
    names = [f"queue-{i}" for i in range(10)] + ["zzz"]
    assert core.json("queues.names", 10) == names
    assert [item["name"] for item in core.json("queues.counts", 10)] == names


def test_counts_are_the_queue_count_objects(core: Core) -> None:
    core.put(0, "stalled", "a")
    core.pop(0, "a")
    core.put(1, "running", "a")
    core.put(1, "waiting", "b")
    core.put(1, "scheduled", "b", delay=100)
    core.put(1, "parent", "c")
    core.put(1, "child", "c", "depends", '["parent"]')
    core("queue.pause", 1, "c")
    core.pop(50, "a")  # `running` (deadline 110); `stalled` has deadline 60
    assert core.json("queues.counts", 70) == [
        counts("a", stalled=1, running=1),
        counts("b", waiting=1, scheduled=1),
        counts("c", waiting=1, depends=1, paused=True),
    ]


def test_counts_with_a_throttled_job(core: Core) -> None:
    core("queue.throttle.set", 0, "queue", 1)
    core.put(0, "jid1")
    core.put(1, "jid2")
    core.pop(2, limit=2)
    assert core.json("queues.counts", 3) == [counts("queue", running=1, throttled=1)]


def test_counts_promote_ready_scheduled_jobs(core: Core) -> None:
    core.put(0, "jid", delay=10)
    assert core.json("queues.counts", 0) == [counts("queue", scheduled=1)]
    assert core.json("queues.counts", 20) == [counts("queue", waiting=1)]
    assert core.job("jid")["state"] == "waiting"


def test_names_have_no_side_effects(core: Core, redis: Redis) -> None:
    core.put(0, "jid", delay=10)
    before = snapshot(redis)
    assert core.json("queues.names", 20) == ["queue"]
    assert snapshot(redis) == before


def test_forgotten_queue_is_not_listed(core: Core) -> None:
    core.put(0, "jid", "gone")
    core.put(0, "jid2", "kept")
    core("queue.forget", 1, "gone")
    assert core.json("queues.names", 2) == ["kept"]
    assert [item["name"] for item in core.json("queues.counts", 2)] == ["kept"]


def test_recurring_templates_are_counted(core: Core) -> None:
    for offset in (0, 100, -5):
        core("queue.recurAtInterval", 0, "queue", f"r{offset}", "klass", "{}", 60, offset)
    assert core.json("queues.counts", 0)[0]["recurring"] == 3


def test_template_moved_to_another_queue(core: Core) -> None:
    core("queue.recurAtInterval", 0, "queue", "r", "klass", "{}", 60, 1000)
    core("recurringJob.update", 0, "r", "queue", "another")
    assert core.json("queues.counts", 0) == [
        counts("another", recurring=1),
        counts("queue", recurring=0),
    ]
