"""Fair groups through both clients: put and put_many with a group, `job.group`, the
queue's groups, a group's jobs and weights, and bad input refused (nothing written)."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.exceptions import ArgumentError
from reqless.job import Job
from reqless.queue import Queue
from tests.helpers import snapshot

BOTH_CLIENTS = True
KLASS = "tests.Klass"


def test_put_with_a_group_and_job_group(client: Client) -> None:
    queue = client.queues["q"]
    queue.put(KLASS, {}, jid="a1", group="a")
    queue.put(KLASS, {}, jid="plain")
    grouped, plain = client.jobs["a1"], client.jobs["plain"]
    assert isinstance(grouped, Job) and isinstance(plain, Job)
    assert (grouped.group, plain.group) == ("a", None)


def _pop(queue: Queue) -> str:
    # One job per pop, as a worker takes them: each pop starts a new turn.
    job = queue.pop()
    assert job is not None
    return job.jid


def test_groups_are_served_in_turn(client: Client) -> None:
    queue = client.queues["q"]
    queue.put_many([{"klass": KLASS, "data": {}, "jid": f"a{n}", "group": "a"} for n in range(5)])
    queue.put(KLASS, {}, jid="b0", group="b")
    assert queue.group_jobs("a") == ["a0", "a1", "a2", "a3", "a4"]
    assert queue.group_jobs("a", 1, 2) == ["a1", "a2"]
    listed = {g["group"]: g for g in queue.groups()}
    assert {name: (g["waiting"], g["weight"], g["parked"]) for name, g in listed.items()} == {
        "a": (5, 1, None),
        "b": (1, 1, None),
    }
    assert [_pop(queue) for _ in range(3)] == ["a0", "b0", "a1"]
    served = client.jobs["b0"]
    assert isinstance(served, Job) and served.group == "b"
    assert [g["group"] for g in queue.groups(0, 1)] == ["a"]


def test_a_weight_gives_a_group_more_jobs_per_turn(client: Client) -> None:
    queue = client.queues["q"]
    assert queue.set_group_weight("a", 2) == 2
    queue.put_many([{"klass": KLASS, "data": {}, "jid": f"a{n}", "group": "a"} for n in range(4)])
    queue.put_many([{"klass": KLASS, "data": {}, "jid": f"b{n}", "group": "b"} for n in range(4)])
    assert [g["weight"] for g in queue.groups() if g["group"] == "a"] == [2]
    assert [_pop(queue) for _ in range(6)] == ["a0", "a1", "b0", "a2", "a3", "b1"]
    assert queue.set_group_weight("a", 1) == 1


@pytest.mark.parametrize(
    "group",
    ["", "x" * 257, "é" * 129, "tab\there", "line\nbreak", "\x7f", 42, ["a"]],
)
def test_a_bad_group_is_refused_and_nothing_is_put(
    client: Client, redis: Redis, group: Any
) -> None:
    before = snapshot(redis)
    with pytest.raises(ArgumentError, match="group must be a string of 1 to 256 characters"):
        client.queues["q"].put(KLASS, {}, group=group)
    with pytest.raises(ArgumentError, match="job 1: group must be"):
        client.queues["q"].put_many([{"klass": KLASS, "data": {}}, {"klass": KLASS, "data": {},
                                                                     "group": group}])  # fmt: skip
    assert snapshot(redis) == before


def test_a_group_of_256_characters_is_taken(client: Client) -> None:
    name = "g" * 256
    client.queues["q"].put(KLASS, {}, jid="j", group=name)
    assert [g["group"] for g in client.queues["q"].groups()] == [name]


@pytest.mark.parametrize("weight", [0, -1, 1.5, 1001, True, "2"])
def test_a_bad_weight_is_refused_and_writes_nothing(
    client: Client, redis: Redis, weight: Any
) -> None:
    client.queues["q"].put(KLASS, {}, group="a")
    before = snapshot(redis)
    with pytest.raises(ArgumentError, match="weight must be a whole number from 1 to 1000"):
        client.queues["q"].set_group_weight("a", weight)
    assert snapshot(redis) == before


@pytest.mark.parametrize(("offset", "limit"), [(-1, 25), (0, 0), (0, 1.5)])
def test_bad_paging_is_refused(client: Client, offset: Any, limit: Any) -> None:
    with pytest.raises(ArgumentError, match=r"offset|limit"):
        client.queues["q"].groups(offset, limit)
    with pytest.raises(ArgumentError, match=r"offset|limit"):
        client.queues["q"].group_jobs("a", offset, limit)


def test_moving_a_job_keeps_its_group(client: Client) -> None:
    queue = client.queues["q"]
    jid = queue.put(KLASS, {}, group="customer-1")
    job = client.jobs[jid]
    assert isinstance(job, Job)
    job.move("elsewhere")
    moved = client.jobs[jid]
    assert isinstance(moved, Job)
    assert (moved.queue_name, moved.group) == ("elsewhere", "customer-1")
    assert [g["group"] for g in client.queues["elsewhere"].groups()] == ["customer-1"]
