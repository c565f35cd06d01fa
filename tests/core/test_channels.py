"""Pubsub (docs/concepts.md, Events): byte-exact payloads and channels, and the
commands that publish nothing (with tracked jobs around, so a stray
notification would show)."""

from __future__ import annotations

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core, events

PUT = '{"jid":"jid","event":"put","queue":"queue"}'
LOCK_LOST = '{"jid":"jid","event":"lock_lost","worker":"worker"}'


def track(redis: Redis, *jids: str) -> None:
    """Mark jids tracked the way job.track stores them (no event captured)."""
    redis.zadd("ql:tracked", dict.fromkeys(jids, 0))


# --- exact sequences ----------------------------------------------------------------


def test_track_and_untrack(core: Core, redis: Redis) -> None:
    core.put(0, "jid")
    with events(redis) as capture:
        core("job.track", 1, "jid")
        core("job.untrack", 2, "jid")
        assert capture.drain() == [("ql:track", "jid"), ("ql:untrack", "jid")]


def test_config_set_and_unset(core: Core, redis: Redis) -> None:
    with events(redis) as capture:
        core("config.set", 0, "foo", "bar")
        core("config.unset", 1, "foo")
        assert capture.drain() == [
            ("ql:log", '{"option":"foo","event":"config_set","value":"bar"}'),
            ("ql:log", '{"event":"config_unset","option":"foo"}'),
        ]


@pytest.mark.parametrize("tracked", [False, True])
def test_put(core: Core, redis: Redis, tracked: bool) -> None:
    if tracked:
        track(redis, "jid")
    with events(redis) as capture:
        core.put(0, "jid")
        expected = [("ql:log", PUT)] + ([("ql:put", "jid")] if tracked else [])
        assert capture.drain() == expected


def test_put_by_another_worker_while_held(core: Core, redis: Redis) -> None:
    core.put(0, "jid")
    core.pop(1)
    with events(redis) as capture:
        core.put(2, "jid", "another", worker="another")
        assert capture.drain() == [
            ("ql:log", '{"jid":"jid","event":"put","queue":"another"}'),
            ("ql:w:worker", LOCK_LOST),
            ("ql:log", LOCK_LOST),
        ]


def test_put_by_the_holder(core: Core, redis: Redis) -> None:
    core.put(0, "jid")
    core.pop(1)
    with events(redis) as capture:
        core.put(2, "jid")
        assert capture.drain() == [("ql:log", PUT)]


def test_pop_of_a_tracked_job(core: Core, redis: Redis) -> None:
    core.put(0, "jid")
    track(redis, "jid")
    with events(redis) as capture:
        core.pop(1)
        assert capture.drain() == [("ql:popped", "jid")]


def test_lock_expiry_of_a_tracked_job(core: Core, redis: Redis) -> None:
    core.put(0, "jid")
    core.pop(1)
    track(redis, "jid")
    with events(redis) as capture:
        assert core.pop(62, worker="other") == []
        assert capture.drain() == [
            ("ql:stalled", "jid"),
            ("ql:w:worker", LOCK_LOST),
            ("ql:log", LOCK_LOST),
        ]
        assert [job["jid"] for job in core.pop(73, worker="other")] == ["jid"]
        assert capture.drain() == [("ql:popped", "jid")]


EXHAUSTED = (
    '{"message":"Job exhausted retries in queue \\"queue\\"","jid":"jid",'
    '"group":"failed-retries-queue","event":"failed","worker":"worker"}'
)


@pytest.mark.parametrize("tracked", [False, True])
def test_lock_expiry_exhausting_retries(core: Core, redis: Redis, tracked: bool) -> None:
    redis.hset("ql:config", "grace-period", "0")
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(1)
    if tracked:
        track(redis, "jid")
    with events(redis) as capture:
        assert core("queue.pop", 100, "queue", "worker", 1) == "[]"
        expected = [("ql:w:worker", LOCK_LOST), ("ql:log", LOCK_LOST), ("ql:log", EXHAUSTED)]
        if tracked:
            expected = [("ql:stalled", "jid"), *expected[:2], ("ql:failed", "jid"), expected[2]]
        assert capture.drain() == expected


def test_complete_of_a_tracked_job(core: Core, redis: Redis) -> None:
    core.put(0, "jid")
    core.pop(1)
    track(redis, "jid")
    with events(redis) as capture:
        core("job.complete", 2, "jid", "worker", "queue", "{}")
        assert capture.drain() == [
            ("ql:completed", "jid"),
            ("ql:log", '{"jid":"jid","event":"completed","queue":"queue"}'),
        ]


@pytest.mark.parametrize("tracked", [False, True])
def test_complete_and_requeue(core: Core, redis: Redis, tracked: bool) -> None:
    core.put(0, "jid")
    core.pop(1)
    if tracked:
        track(redis, "jid")
    with events(redis) as capture:
        core("job.completeAndRequeue", 2, "jid", "worker", "queue", "{}", "queue")
        advanced = ("ql:log", '{"jid":"jid","to":"queue","event":"advanced","queue":"queue"}')
        expected = [("ql:completed", "jid"), advanced] if tracked else [advanced]
        assert capture.drain() == expected


def test_fail_of_a_tracked_job(core: Core, redis: Redis) -> None:
    core.put(0, "jid")
    core.pop(1)
    track(redis, "jid")
    with events(redis) as capture:
        core("job.fail", 2, "jid", "worker", "grp", "mess")
        assert capture.drain() == [
            (
                "ql:log",
                '{"message":"mess","jid":"jid","group":"grp","event":"failed","worker":"worker"}',
            ),
            ("ql:failed", "jid"),
        ]


def test_timeout(core: Core, redis: Redis) -> None:
    core.put(0, "jid")
    core.pop(1)
    with events(redis) as capture:
        core("job.timeout", 2, "jid")
        assert capture.drain() == [("ql:w:worker", LOCK_LOST), ("ql:log", LOCK_LOST)]


def make_waiting(core: Core) -> None:
    core.put(0, "jid")


def make_scheduled(core: Core) -> None:
    core.put(0, "jid", delay=100)


def make_depends(core: Core) -> None:
    core.put(0, "parent")
    core.put(0, "jid", "queue", "depends", '["parent"]')


def make_failed(core: Core) -> None:
    core.put(0, "jid")
    core.pop(1)
    core("job.fail", 2, "jid", "worker", "grp", "mess")


@pytest.mark.parametrize("tracked", [False, True])
@pytest.mark.parametrize("make", [make_waiting, make_scheduled, make_depends, make_failed])
def test_cancel_of_a_job_that_is_not_running(
    core: Core, redis: Redis, make: object, tracked: bool
) -> None:
    assert callable(make)
    make(core)
    if tracked:
        track(redis, "jid")
    with events(redis) as capture:
        core("job.cancel", 5, "jid")
        canceled = ("ql:log", '{"jid":"jid","queue":"queue","event":"canceled","worker":""}')
        assert capture.drain() == [canceled] + ([("ql:canceled", "jid")] if tracked else [])


def test_cancel_of_a_running_job(core: Core, redis: Redis) -> None:
    core.put(0, "jid", "q")
    core.pop(1, "q", worker="wrk")
    payload = '{"jid":"jid","queue":"q","event":"canceled","worker":"wrk"}'
    with events(redis) as capture:
        core("job.cancel", 2, "jid")
        assert capture.drain() == [("ql:log", payload), ("ql:w:wrk", payload)]


@pytest.mark.parametrize("tracked", [False, True])
def test_cancel_of_a_missing_job(core: Core, redis: Redis, tracked: bool) -> None:
    if tracked:
        track(redis, "ghost")
    with events(redis) as capture:
        core("job.cancel", 0, "ghost")
        canceled = ("ql:log", '{"jid":"ghost","queue":false,"event":"canceled","worker":false}')
        assert capture.drain() == [canceled] + ([("ql:canceled", "ghost")] if tracked else [])


def test_cancel_of_a_complete_job_publishes_nothing(core: Core, redis: Redis) -> None:
    core.put(0, "jid")
    core.pop(1)
    core("job.complete", 2, "jid", "worker", "queue", "{}")
    track(redis, "jid")
    with events(redis) as capture:
        core("job.cancel", 3, "jid")
        assert capture.drain() == []


# --- commands that publish nothing ------------------------------------------------


def busy_world(core: Core, redis: Redis) -> None:
    """Tracked jobs in every situation the quiet commands might touch."""
    core("throttle.set", 0, "tid", 1)
    core.put(0, "held", "queue", "throttles", '["tid"]', "tags", '["tag"]')
    core.pop(0)
    core.put(1, "waiting", "queue", "throttles", '["tid"]')
    core.put(1, "later", delay=10)
    core.put(1, "parent", "other")
    core.put(1, "child", "other", "depends", '["parent"]')
    core.put(1, "broken", "sick")
    core.pop(1, "sick", worker="w2")
    core("job.fail", 2, "broken", "w2", "grp", "mess")
    core("queue.recurAtInterval", 0, "queue", "r", "klass", "{}", 60, 0)
    track(redis, "held", "waiting", "later", "parent", "child", "broken", "r", "r-1")
    redis.hset("ql:config", "max-worker-age", "500")


MY_QUIET: list[tuple[str, tuple[Arg, ...]]] = [
    ("throttle.set", ("tid", 2, 100)),
    ("throttle.get", ("tid",)),
    ("throttle.delete", ("tid",)),
    ("throttle.locks", ("tid",)),
    ("throttle.pending", ("tid",)),
    ("throttle.release", ("tid", "held", "waiting")),
    ("throttle.release", ("tid", "waiting", "held")),
    ("queue.throttle.get", ("queue",)),
    ("queue.throttle.set", ("queue", 3)),
    ("queueIdentifierPatterns.getAll", ()),
    ("queueIdentifierPatterns.setAll", ("french", '["a"]')),
    ("queuePriorityPatterns.getAll", ()),
    ("queuePriorityPatterns.setAll", ('{"pattern":["a"]}',)),
    ("queues.counts", ()),
    ("queues.names", ()),
    ("workers.counts", ()),
    ("worker.jobs", ("worker",)),
    ("worker.jobs", ()),
    ("worker.forget", ("worker", "w2")),
]

OTHER_QUIET: list[tuple[str, tuple[Arg, ...]]] = [
    ("queue.recurAtInterval", ("queue", "r2", "klass", "{}", 60, 0)),
    ("queue.peek", ("queue", 0, 10)),  # spawns r-1 and promotes `later`
    ("recurringJob.get", ("r",)),
    ("recurringJob.update", ("r", "priority", 5, "queue", "moved")),
    ("recurringJob.cancel", ("r",)),
    ("recurringJob.addTag", ("r", "t")),
    ("recurringJob.removeTag", ("r", "t")),
    ("job.addTag", ("held", "t")),
    ("job.removeTag", ("held", "tag")),
    ("jobs.tagged", ("tag",)),
    ("tags.top", ()),
    ("jobs.tracked", ()),
    ("queue.stats", ("queue", 0)),
    ("queue.counts", ("queue",)),
    ("queue.counts", ()),
    ("job.retry", ("held", "queue", "worker")),
    ("job.heartbeat", ("held", "worker")),
    ("job.setPriority", ("waiting", 3)),
    ("job.addDependency", ("child", "held")),
    ("job.removeDependency", ("child", "parent")),
    ("job.log", ("held", "message")),
    ("queue.unfail", ("sick", "grp")),
    ("queue.pause", ("queue",)),
    ("queue.unpause", ("queue",)),
    ("queue.forget", ("queue",)),
    ("queue.length", ("queue",)),
]


@pytest.mark.parametrize(("command", "args"), MY_QUIET + OTHER_QUIET)
def test_command_publishes_nothing(
    core: Core, redis: Redis, command: str, args: tuple[Arg, ...]
) -> None:
    busy_world(core, redis)
    with events(redis) as capture:
        core(command, 1000, *args)
        assert capture.drain() == []


def test_retry_that_fails_the_job_publishes_nothing(core: Core, redis: Redis) -> None:
    core.put(0, "jid", "queue", "retries", 0)
    core.pop(1)
    track(redis, "jid")
    with events(redis) as capture:
        core("job.retry", 2, "jid", "queue", "worker")
        assert capture.drain() == []
    assert core.job("jid")["state"] == "failed"


def test_recurring_spawn_in_pop_publishes_nothing(core: Core, redis: Redis) -> None:
    core("queue.recurAtInterval", 0, "queue", "r", "klass", "{}", 60, 0)
    with events(redis) as capture:
        core.json("queue.peek", 200, "queue", 0, 0)  # limit 0: no spawn
        core.pop(200, limit=0)
        spawned = core.pop(200, limit=10)
        assert len(spawned) == 4
        assert capture.drain() == []
