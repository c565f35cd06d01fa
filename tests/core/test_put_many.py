"""queue.putMany: many puts in one atomic call (an extension of ours)."""

from __future__ import annotations

import pytest
from redis import Redis

from reqless.core import Arg
from tests.core.test_put import put_object
from tests.helpers import Core, snapshot


def put_many(core: Core, now: float, *jobs: tuple[Arg, ...], queue: str = "queue") -> list[str]:
    args: list[Arg] = []
    for job in jobs:
        jid, *options = job
        args += [jid, "klass", "{}", 0, len(options), *options]
    result: list[str] = core.json("queue.putMany", now, "worker", queue, *args)
    return result


def test_jobs_are_put_in_order_as_put_would(core: Core, redis: Redis) -> None:
    assert put_many(core, 0, ("a",), ("b", "priority", 5), ("c",)) == ["a", "b", "c"]
    assert core.job("a") == put_object("a")
    assert core.job("b")["priority"] == 5
    assert [job["jid"] for job in core.pop(1, limit=3)] == ["b", "a", "c"]


def test_the_same_as_one_put_each(core: Core, redis: Redis) -> None:
    put_many(core, 0, ("a", "tags", '["t"]', "retries", 2), ("b", "depends", '["a"]'))
    many = snapshot(redis)
    redis.flushall()
    core.put(0, "a", "queue", "tags", '["t"]', "retries", 2)
    core.put(0.000001, "b", "queue", "depends", '["a"]')
    assert snapshot(redis) == many


def test_an_empty_call_puts_nothing(core: Core) -> None:
    assert core("queue.putMany", 0, "worker", "queue") == "[]"


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("a", "k", "{}", 0, 0, "b", "k", "{}", "soon", 0), 'job 2: Put(): Arg "delay"'),
        (("a", "k", "{}", 0, 0, "b", "k", "{}", 0, 2, "priority", "inf"), 'job 2: Put(): Arg "p'),
        (("a", "k", "{}", 0, 0, "b", "k", "nope", 0, 0), 'job 2: Put(): Arg "data"'),
        (("a", "k", "{}", 0, 0, "b", "k", "{}"), "job 2 is incomplete"),
        (("a", "k", "{}", 0, 1, "priority"), 'Arg "count" of job 1'),
        (("a", "k", "{}", 0, 2, "priority"), 'Arg "count" of job 1'),
        (("a", "k", "{}", 0, "x"), 'Arg "count" of job 1'),
    ],
)
def test_a_bad_job_anywhere_writes_nothing(core: Core, args: tuple[Arg, ...], match: str) -> None:
    core.put(0, "existing", "queue", "tags", '["a"]')
    core.fails("queue.putMany", 1, "worker", "queue", *args, match=match)
