"""The short path of a new job leaves Redis exactly as put's full path does.

queue.put and queue.putMany write a new job without dependencies, delay or
throttles of its own by a shorter path (for putMany: a copied template record
and one ZADD for all of them). These tests hold putMany to queue.put's result
key by key, field order included, and message by message, over mixes of new
and existing jobs, options, open and full throttles; and queue.put's short path
to its full one.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from redis import Redis

from reqless.core import Arg, CoreRunner
from tests.helpers import Core, events, snapshot
from tests.property_settings import machine_settings

NOW = 1_700_000_000.25
LONG = '{"text": "' + "x" * 80 + '"}'  # past the 64 bytes of a compact hash value

#: put's defaults, spelled out for queue.put (putMany applies them when left out).
DEFAULTS: dict[str, Arg] = {"priority": 0, "retries": 5, "tags": "[]", "depends": "[]",
                            "throttles": "[]"}  # fmt: skip

Job = tuple[str, str, str, float, dict[str, Arg]]


def setup(core: Core, full_throttle: bool) -> None:
    """Jobs that exist before the call: waiting, running, completed, with tags."""
    core.put(NOW - 10, "a", "queue", "tags", '["old"]', "priority", 7)
    core.put(NOW - 9, "b", "other")
    core.pop(NOW - 8, "other", "someone")
    core.put(NOW - 7, "c", "queue")
    core("job.track", NOW - 7, "c")
    core("throttle.set", NOW - 7, "th", 1)
    if full_throttle:
        # The queue's own throttle full: every job is held back, none ready.
        core("throttle.set", NOW - 7, "ql:q:queue", 1)
        core.put(NOW - 6, "d", "queue")
        core.pop(NOW - 5, "queue", "someone")


def put_many(core: Core, jobs: list[Job]) -> list[str]:
    args: list[Arg] = []
    for jid, klass, data, delay, options in jobs:
        pairs = [part for pair in options.items() for part in pair]
        args += [jid, klass, data, delay, len(pairs), *pairs]
    result: list[str] = core.json("queue.putMany", NOW, "putter", "queue", *args)
    return result


def put_each(core: Core, jobs: list[Job]) -> list[str]:
    jids = []
    for k, (jid, klass, data, delay, options) in enumerate(jobs):
        pairs = [part for pair in {**DEFAULTS, **options}.items() for part in pair]
        now = NOW + k * 1e-6
        jids.append(core("queue.put", now, "putter", "queue", jid, klass, data, delay, *pairs))
    return jids


def ordered(redis: Redis) -> dict[str, Any]:
    """Each key as `snapshot` has it, hashes with their field order."""
    state = snapshot(redis)
    for key, (kind, _, _) in state.items():
        if kind == "hash":
            state[key] = list(redis.hgetall(key).items())
    return state


def compare(core: Core, redis: Redis, jobs: list[Job], full_throttle: bool = False) -> None:
    redis.flushall()
    setup(core, full_throttle)
    with events(redis) as one_by_one:
        expected_jids = put_each(core, jobs)
        expected_messages = one_by_one.drain()
    expected = ordered(redis)
    redis.flushall()
    setup(core, full_throttle)
    with events(redis) as many:
        assert put_many(core, jobs) == expected_jids
        assert many.drain() == expected_messages
    assert ordered(redis) == expected


CASES: dict[str, list[Job]] = {
    "new jobs": [
        ("n1", "k", "{}", 0, {}),
        ("n2", "k", '{"i": 2}', 0, {}),
        ("n3", "k", LONG, 0, {}),
    ],
    "options on new jobs": [
        ("n1", "k", "{}", 0, {"priority": 3, "tags": '["t", "u"]'}),
        ("n2", "other.Klass", "{}", 0, {"retries": 2}),
        ("n3", "k", "{}", 0, {}),
        ("n4", "k", "{}", 30, {}),
        ("n5", "k", "{}", 0, {"depends": '["a", "n1"]'}),
        ("n6", "k", "{}", 0, {"throttles": '["th"]'}),
        ("n7", "k", "{}", -5, {"priority": -1.5}),
    ],
    "existing jobs among new ones": [
        ("n1", "k", "{}", 0, {}),
        ("a", "k", "{}", 0, {}),  # waiting, tagged, priority 7: reset to put's defaults
        ("n2", "k", "{}", 0, {}),
        ("b", "k", "{}", 0, {"priority": 2}),  # running in another queue: the lock is lost
        ("c", "k", "{}", 0, {}),  # tracked
        ("n3", "k", "{}", 0, {}),
    ],
    "the same jid twice": [
        ("n1", "k", "{}", 0, {}),
        ("n2", "k", "{}", 0, {}),
        ("n1", "k2", "[]", 0, {"priority": 4}),
    ],
    "a job then one depending on it": [
        ("n1", "k", "{}", 0, {}),
        ("n2", "k", "{}", 0, {"depends": '["n1"]'}),
    ],
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("full_throttle", [False, True], ids=["open", "full"])
def test_the_same_keys_and_messages_as_one_put_each(
    core: Core, redis: Redis, case: str, full_throttle: bool
) -> None:
    compare(core, redis, CASES[case], full_throttle)


def test_no_template_key_is_left_behind(core: Core, redis: Redis) -> None:
    put_many(core, [("n1", "k", "{}", 0, {}), ("n2", "k", "{}", 0, {})])
    assert sorted(redis.keys("*")) == sorted(
        ["ql:j:n1", "ql:j:n2", "ql:j:n1-history", "ql:j:n2-history", "ql:queues",
         "ql:q:queue-work"]
    )  # fmt: skip


def test_a_left_out_option_resets_an_existing_job(core: Core) -> None:
    core.put(NOW - 1, "a", "queue", "tags", '["old"]', "priority", 7, "retries", 1)
    put_many(core, [("a", "k", "{}", 0, {})])
    job = core.job("a")
    assert (job["priority"], job["tags"], job["retries"]) == (0, {}, 5)


_jid = st.sampled_from(["a", "b", "c", "n1", "n2", "n3"])
_options = st.fixed_dictionaries(
    {},
    optional={
        "priority": st.sampled_from([0, 2, -1, 7.5]),
        "retries": st.sampled_from([0, 2, 5]),
        "tags": st.sampled_from(["[]", '["t"]', '["old", "t"]']),
        "depends": st.sampled_from(['["a"]', '["n1"]', '["b", "c"]']),
        "throttles": st.sampled_from(['["th"]', '["th", "other"]']),
    },
)
_job = st.tuples(
    _jid, st.sampled_from(["k", "k2"]), st.sampled_from(["{}", '{"i": 1}', LONG]),
    st.sampled_from([0, 0, 20]), _options,
)  # fmt: skip


@machine_settings(40)
@given(jobs=st.lists(_job, min_size=1, max_size=8), full_throttle=st.booleans())
def test_any_mix_matches_one_put_each(redis: Redis, jobs: list[Job], full_throttle: bool) -> None:
    # A job may not depend on itself: putMany refuses that as put does.
    jobs = [job for job in jobs if f'"{job[0]}"' not in str(job[4].get("depends", ""))]
    compare(Core(CoreRunner(redis), redis), redis, jobs, full_throttle)


@pytest.mark.parametrize(
    "options",
    [(), ("tags", '["t", "u"]'), ("priority", 4.5, "retries", 0), ("tags", "{}")],
    ids=["plain", "tags", "priority-retries", "empty-object-tags"],
)
@pytest.mark.parametrize("data", ["{}", LONG])
def test_puts_short_path_leaves_what_its_full_path_leaves(
    core: Core, redis: Redis, options: tuple[Arg, ...], data: str
) -> None:
    def run(*extra: Arg) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        redis.flushall()
        # A job already done (a dependency on it is no dependency), the new jid
        # left tracked (as a job canceled by another client may leave it), and
        # a worker waiting on the queue for a wake token.
        core.put(NOW - 3, "done", "queue")
        core.pop(NOW - 2)
        core("job.complete", NOW - 1, "done", "worker", "queue", "{}")
        redis.zadd("ql:tracked", {"new": NOW - 1})
        core("queues.pop", NOW - 1, "waiter", 1, 30, "queue")
        with events(redis) as messages:
            core.put(NOW, "new", "queue", *options, *extra, data=data)
            return ordered(redis), messages.drain()

    # Depending on a completed job takes put's full path and ends the same.
    assert run() == run("depends", '["done"]')
