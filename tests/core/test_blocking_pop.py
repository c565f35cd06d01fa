"""queues.pop and the wake lists behind blocking pickup (an extension of ours).

A worker with nothing to do calls `queues.pop` with a wait; the core records it as
waiting on each queue and any job made ready there pushes a token onto the
queue's wake list, which the worker BLPOPs. The extra keys exist only while a
worker waits.
"""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core, events


def queues_pop(core: Core, now: float, *queues: str, limit: int = 1, wait: float = 0) -> Any:
    return core.json("queues.pop", now, "worker", limit, wait, *queues)


def server_time(redis: Redis) -> float:
    seconds, micros = redis.time()
    return seconds + micros / 1e6


def extra_keys(redis: Redis) -> list[str]:
    return sorted(str(key) for key in redis.keys("ql:wa*"))


def test_pops_the_queues_in_order(core: Core) -> None:
    core.put(0, "b1", "b")
    core.put(0, "a1", "a")
    core.put(1, "a2", "a")
    reply = queues_pop(core, 2, "a", "b", limit=5)
    assert [job["jid"] for job in reply["jobs"]] == ["a1", "a2", "b1"]
    assert "wake" not in reply


def test_pop_with_jobs_registers_no_waiter(core: Core, redis: Redis) -> None:
    core.put(0, "a1", "a")
    assert [job["jid"] for job in queues_pop(core, 1, "a", wait=5)["jobs"]] == ["a1"]
    assert extra_keys(redis) == []


def test_an_empty_pop_without_wait_leaves_no_keys(core: Core, redis: Redis) -> None:
    assert queues_pop(core, 1, "a", "b") == {"jobs": []}
    assert extra_keys(redis) == []


def test_an_empty_pop_with_wait_registers_the_worker(core: Core, redis: Redis) -> None:
    reply = queues_pop(core, 100, "a", "b", wait=2)
    clock = reply.pop("clock")
    assert reply == {"jobs": [], "wake": ["ql:wake:a", "ql:wake:b"]}
    assert clock == pytest.approx(100 - server_time(redis), abs=5)
    assert redis.zrange("ql:waiting:a", 0, -1, withscores=True) == [("worker", 102.0)]
    assert 0 < redis.pttl("ql:waiting:a") <= 7000


@pytest.mark.parametrize(
    "make_ready",
    [
        lambda core: core.put(101, "j", "a"),
        lambda core: core("queue.putMany", 101, "w", "a", "j", "k", "{}", 0, 0),
        lambda core: core("job.complete", 101, "dep", "w", "other", "{}"),
    ],
    ids=["put", "putMany", "dependency released"],
)
def test_a_job_made_ready_pushes_a_wake_token(core: Core, redis: Redis, make_ready: Any) -> None:
    core.put(0, "dep", "other")
    core.put(0, "blocked", "a", "depends", '["dep"]')
    core.pop(1, "other", "w")
    queues_pop(core, 100, "a", wait=2)
    make_ready(core)
    assert redis.lrange("ql:wake:a", 0, -1) == ["1"]
    assert 0 < redis.pttl("ql:wake:a") <= 5000


def test_tokens_never_outnumber_waiters(core: Core, redis: Redis) -> None:
    core.json("queues.pop", 100, "w1", 1, 2, "a")
    core.json("queues.pop", 100, "w2", 1, 2, "a")
    args: list[Arg] = []
    for n in range(5):
        args += [f"j{n}", "k", "{}", 0, 0]
    core("queue.putMany", 101, "w", "a", *args)
    assert redis.llen("ql:wake:a") == 2
    core.put(102, "more", "a")
    assert redis.llen("ql:wake:a") == 2


def test_no_waiter_no_token(core: Core, redis: Redis) -> None:
    core.put(0, "j", "a")
    assert extra_keys(redis) == []


def test_a_later_pop_takes_the_worker_off_the_waiting_list(core: Core, redis: Redis) -> None:
    queues_pop(core, 100, "a", wait=2)
    core.put(101, "j", "a")
    assert [job["jid"] for job in queues_pop(core, 102, "a")["jobs"]] == ["j"]
    assert redis.zcard("ql:waiting:a") == 0
    core.put(103, "k", "a")
    assert redis.llen("ql:wake:a") == 1  # the token pushed while it waited


def test_stale_waiters_are_dropped_when_another_registers(core: Core, redis: Redis) -> None:
    core.json("queues.pop", 100, "old", 1, 2, "a")
    core.json("queues.pop", 200, "new", 1, 2, "a")
    assert redis.zrange("ql:waiting:a", 0, -1) == ["new"]


def test_next_is_the_earliest_due_time(core: Core) -> None:
    core.put(0, "later", "a", delay=50)
    core("queue.recurAtInterval", 0, "b", "r", "klass", "{}", 60, 30)
    core.put(0, "held", "c")
    core.pop(1, "c")  # lock until 61
    reply = queues_pop(core, 10, "a", "b", "c", wait=5)
    assert reply["next"] == 30
    assert queues_pop(core, 10, "a", wait=5)["next"] == 50


def test_waiting_publishes_nothing(core: Core, redis: Redis) -> None:
    with events(redis) as collected:
        queues_pop(core, 100, "a", wait=2)
        core.put(101, "j", "a")
        assert [channel for channel, _ in collected.drain()] == ["ql:log"]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((), 'Pop(): Arg "worker" missing'),
        (("w",), 'Pop(): Arg "limit" missing or not a number: '),
        (("w", 1), 'Pop(): Arg "wait" missing or not a number: '),
        (("w", 1, "inf", "a"), 'Pop(): Arg "wait" missing or not a number: inf'),
        (("w", 1, 0), "Pop(): no queue name provided"),
        (("w", 1, 0, "a", ""), "Pop(): no queue name provided"),
    ],
)
def test_malformed_arguments(core: Core, args: tuple[Arg, ...], match: str) -> None:
    core.put(0, "j", "a")
    core.fails("queues.pop", 1, *args, match=match)


def test_popped_objects_are_lean(core: Core) -> None:
    core.put(0, "j", "a")
    (job,) = queues_pop(core, 1, "a")["jobs"]
    full = core.job("j")
    for key in ("history", "dependents", "dependencies"):
        assert key not in job
        full.pop(key)
    assert job == full


def test_a_job_scheduled_while_a_worker_waits_wakes_it_to_learn_when(
    core: Core, redis: Redis
) -> None:
    queues_pop(core, 100, "a", wait=30)
    core.put(101, "later", "a", delay=5)
    assert redis.llen("ql:wake:a") == 1
    assert queues_pop(core, 102, "a", wait=30)["next"] == 106


# --- queues.popAt ---------------------------------------------------------------------


def test_pop_at_pops_at_the_servers_clock_moved_by_the_offset(core: Core, redis: Redis) -> None:
    clock = queues_pop(core, 100, "a", wait=30)["clock"]
    core.put(101, "j", "a")
    # Sent with a `now` long past: the pop happens at the worker's time of its run.
    reply = core.json("queues.popAt", 1, "worker", 1, 30, clock, "a")
    (job,) = reply["jobs"]
    assert job["expires"] == pytest.approx(100 + 60, abs=5)
    assert redis.zscore("ql:waiting:a", "worker") is None


def test_pop_at_with_nothing_registers_the_wait_again(core: Core, redis: Redis) -> None:
    clock = queues_pop(core, 100, "a", wait=30)["clock"]
    reply = core.json("queues.popAt", 1, "worker", 1, 30, clock, "a")
    assert reply["jobs"] == [] and reply["wake"] == ["ql:wake:a"]
    assert redis.zscore("ql:waiting:a", "worker") == pytest.approx(100 + 30, abs=5)


@pytest.mark.parametrize("offset", ["", "x", "inf"])
def test_pop_at_refuses_a_bad_offset(core: Core, redis: Redis, offset: str) -> None:
    core.put(0, "j", "a")
    core.fails("queues.popAt", 1, "worker", 1, 0, offset, "a",
               match=f'Pop(): Arg "offset" missing or not a number: {offset}')  # fmt: skip
    assert core.job("j")["state"] == "waiting"


# --- job.completeAndPop --------------------------------------------------------------


def test_complete_and_pop_completes_then_pops_the_next_job(core: Core) -> None:
    core.put(0, "a", "q")
    core.put(0, "b", "other")
    queues_pop(core, 1, "q")
    reply = core.json("job.completeAndPop", 2, "a", "worker", "q", '{"x":1}', 1, "q", "other")
    assert [job["jid"] for job in reply["jobs"]] == ["b"]
    assert "wake" not in reply  # it never waits
    assert core.job("a")["state"] == "complete"
    assert core.job("a")["data"] == '{"x":1}'
    assert core.job("b")["worker"] == "worker"


def test_complete_and_pop_with_nothing_left(core: Core, redis: Redis) -> None:
    core.put(0, "a", "q")
    queues_pop(core, 1, "q")
    assert core.json("job.completeAndPop", 2, "a", "worker", "q", "{}", 1, "q") == {"jobs": []}
    assert extra_keys(redis) == []


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (
            ("a", "other", "q", "{}", 1, "q"),
            "Complete(): Job has been handed out to another worker",
        ),
        (("a", "worker", "q", "{}", 1), "Pop(): no queue name provided"),
        (("a", "worker", "q", "nope", 1, "q"), 'Complete(): Arg "data" missing or not JSON'),
    ],
)
def test_complete_and_pop_refuses_without_writing(
    core: Core, args: tuple[Arg, ...], match: str
) -> None:
    core.put(0, "a", "q")
    core.put(1, "b", "q")
    queues_pop(core, 2, "q")
    core.fails("job.completeAndPop", 3, *args, match=match)
