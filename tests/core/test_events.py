"""Pubsub messages of the job commands, byte for byte and in order (docs/concepts.md, Locks and
heartbeats; Events).

Tracked jobs are marked by writing `ql:tracked` directly, so these tests do not
depend on job.track (whose own `ql:track` message is covered with it).
"""

from __future__ import annotations

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core, events

PUT = ("ql:log", '{"jid":"jid","event":"put","queue":"queue"}')
LOST = '{"jid":"jid","event":"lock_lost","worker":"worker"}'
LOCK_LOST = [("ql:w:worker", LOST), ("ql:log", LOST)]
EXHAUSTED = (
    "ql:log",
    '{"message":"Job exhausted retries in queue \\"queue\\"","jid":"jid",'
    '"group":"failed-retries-queue","event":"failed","worker":"worker"}',
)


def track(redis: Redis, *jids: str) -> None:
    redis.zadd("ql:tracked", dict.fromkeys(jids, 0))


def running(core: Core, jid: str = "jid", *options: Arg) -> None:
    """Put `jid` at 0 and pop it at 1 as `worker` (deadline 61)."""
    core.put(0, jid, "queue", *options)
    [job] = core.pop(1)
    assert job["jid"] == jid


# -- put -------------------------------------------------------------------------


def test_put(redis: Redis, core: Core) -> None:
    with events(redis) as capture:
        core.put(0, "jid")
        assert capture.drain() == [PUT]


def test_put_of_a_tracked_job(redis: Redis, core: Core) -> None:
    track(redis, "jid")
    with events(redis) as capture:
        core.put(0, "jid")
        assert capture.drain() == [PUT, ("ql:put", "jid")]


def test_put_by_another_worker_takes_the_lock(redis: Redis, core: Core) -> None:
    running(core)
    track(redis, "jid")
    with events(redis) as capture:
        core.put(5, "jid", "another", worker="another")
        assert capture.drain() == [
            ("ql:log", '{"jid":"jid","event":"put","queue":"another"}'),
            ("ql:w:worker", LOST),
            ("ql:log", LOST),
            ("ql:put", "jid"),
        ]


def test_requeue_by_another_worker_takes_the_lock(redis: Redis, core: Core) -> None:
    running(core)
    with events(redis) as capture:
        core("job.requeue", 5, "another", "queue", "jid", "klass", "{}", 0)
        assert capture.drain() == [PUT, *LOCK_LOST]


def test_put_by_the_holder_itself(redis: Redis, core: Core) -> None:
    running(core)
    with events(redis) as capture:
        core.put(5, "jid", "another")
        assert capture.drain() == [("ql:log", '{"jid":"jid","event":"put","queue":"another"}')]


def test_put_after_a_retry_still_tells_the_old_worker(redis: Redis, core: Core) -> None:
    # A successful retry leaves `worker` in place (docs/core-commands.md, job.retry), and put
    # notifies any non-empty previous worker other than the caller (docs/core-commands.md,
    # queue.put).
    running(core)
    core("job.retry", 2, "jid", "queue", "worker")
    with events(redis) as capture:
        core.put(5, "jid", worker="another")
        assert capture.drain() == [PUT, *LOCK_LOST]


@pytest.mark.parametrize("how", ["timeout", "fail"])
def test_put_of_a_job_without_a_worker_tells_nobody(redis: Redis, core: Core, how: str) -> None:
    running(core)
    if how == "timeout":
        core("job.timeout", 2, "jid")
    else:
        core("job.fail", 2, "jid", "worker", "group", "message")
    with events(redis) as capture:
        core.put(5, "jid", worker="another")
        assert capture.drain() == [PUT]


# -- pop and lock expiry ------------------------------------------------------------


def test_pop(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.put(0, "untracked")
    track(redis, "jid")
    with events(redis) as capture:
        assert len(core.pop(1, limit=2)) == 2
        assert capture.drain() == [("ql:popped", "jid")]


def test_a_tracked_job_stalls_and_is_popped_again(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "grace-period", 0)
    running(core)
    track(redis, "jid")
    with events(redis) as capture:
        core.pop(100, worker="another")
        assert capture.drain() == [("ql:stalled", "jid"), *LOCK_LOST, ("ql:popped", "jid")]


def test_an_untracked_job_stalls_and_is_popped_again(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "grace-period", 0)
    running(core)
    with events(redis) as capture:
        core.pop(100, worker="another")
        assert capture.drain() == LOCK_LOST


def test_the_grace_period_splits_warning_and_reassignment(redis: Redis, core: Core) -> None:
    running(core)
    track(redis, "jid")
    with events(redis) as capture:
        assert core.pop(61, worker="another") == []
        assert capture.drain() == [("ql:stalled", "jid"), *LOCK_LOST]
        # The reassignment sends no further notification to the old worker.
        assert [job["jid"] for job in core.pop(71, worker="another")] == ["jid"]
        assert capture.drain() == [("ql:popped", "jid")]


def test_stalled_jobs_are_all_warned_before_any_is_handed_out(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "grace-period", 0)
    core.put(0, "b")
    core.put(0, "a")
    core.pop(1, limit=2)
    track(redis, "a", "b")

    def lost(jid: str) -> list[tuple[str, str]]:
        payload = f'{{"jid":"{jid}","event":"lock_lost","worker":"worker"}}'
        return [("ql:stalled", jid), ("ql:w:worker", payload), ("ql:log", payload)]

    with events(redis) as capture:
        assert [job["jid"] for job in core.pop(100, worker="another", limit=2)] == ["a", "b"]
        assert capture.drain() == [*lost("a"), *lost("b"), ("ql:popped", "a"), ("ql:popped", "b")]


def test_lock_expiry_exhausting_retries(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "grace-period", 0)
    running(core, "jid", "retries", 0)
    with events(redis) as capture:
        assert core("queue.pop", 100, "queue", "another", 1) == "[]"
        assert capture.drain() == [*LOCK_LOST, EXHAUSTED]


def test_lock_expiry_exhausting_retries_of_a_tracked_job(redis: Redis, core: Core) -> None:
    redis.hset("ql:config", "grace-period", 0)
    running(core, "jid", "retries", 0)
    track(redis, "jid")
    with events(redis) as capture:
        assert core.pop(100, worker="another") == []
        assert capture.drain() == [
            ("ql:stalled", "jid"),
            *LOCK_LOST,
            ("ql:failed", "jid"),
            EXHAUSTED,
        ]


# -- complete, fail, timeout ------------------------------------------------------


@pytest.mark.parametrize("tracked", [False, True])
def test_complete(redis: Redis, core: Core, tracked: bool) -> None:
    running(core)
    if tracked:
        track(redis, "jid")
    with events(redis) as capture:
        core("job.complete", 2, "jid", "worker", "queue", "{}")
        expected = [("ql:log", '{"jid":"jid","event":"completed","queue":"queue"}')]
        if tracked:
            expected.insert(0, ("ql:completed", "jid"))
        assert capture.drain() == expected


@pytest.mark.parametrize("tracked", [False, True])
def test_complete_and_requeue_into_the_same_queue(redis: Redis, core: Core, tracked: bool) -> None:
    running(core)
    if tracked:
        track(redis, "jid")
    with events(redis) as capture:
        core("job.completeAndRequeue", 2, "jid", "worker", "queue", "{}", "queue")
        expected = [("ql:log", '{"jid":"jid","to":"queue","event":"advanced","queue":"queue"}')]
        if tracked:
            expected.insert(0, ("ql:completed", "jid"))
        assert capture.drain() == expected


def test_complete_and_requeue_into_another_queue(redis: Redis, core: Core) -> None:
    running(core)
    with events(redis) as capture:
        core("job.completeAndRequeue", 2, "jid", "worker", "queue", "{}", "next", "delay", 5)
        assert capture.drain() == [
            ("ql:log", '{"jid":"jid","to":"next","event":"advanced","queue":"queue"}')
        ]


@pytest.mark.parametrize("tracked", [False, True])
def test_fail(redis: Redis, core: Core, tracked: bool) -> None:
    running(core)
    if tracked:
        track(redis, "jid")
    with events(redis) as capture:
        core("job.fail", 2, "jid", "worker", "grp", "mess")
        expected = [
            (
                "ql:log",
                '{"message":"mess","jid":"jid","group":"grp","event":"failed","worker":"worker"}',
            )
        ]
        if tracked:
            expected.append(("ql:failed", "jid"))
        assert capture.drain() == expected


def test_payload_strings_are_json_escaped(redis: Redis, core: Core) -> None:
    core.put(0, "a/b", "q/1", worker="w/1")
    core.pop(1, "q/1", worker="w/1")
    with events(redis) as capture:
        core("job.fail", 2, "a/b", "w/1", "g/1", 'bad "thing"\n/ here')
        assert capture.drain() == [
            (
                "ql:log",
                '{"message":"bad \\"thing\\"\\n\\/ here","jid":"a\\/b","group":"g\\/1",'
                '"event":"failed","worker":"w\\/1"}',
            )
        ]
        core.put(3, "a/b", "q/2", worker="w/2")
        core.pop(4, "q/2", worker="w/2")
        core("job.timeout", 5, "a/b")
        lost = '{"jid":"a\\/b","event":"lock_lost","worker":"w\\/2"}'
        assert capture.drain() == [
            ("ql:log", '{"jid":"a\\/b","event":"put","queue":"q\\/2"}'),
            ("ql:w:w/2", lost),
            ("ql:log", lost),
        ]


def test_timeout(redis: Redis, core: Core) -> None:
    running(core)
    track(redis, "jid")
    with events(redis) as capture:
        assert core("job.timeout", 2, "jid") is None
        assert capture.drain() == LOCK_LOST


def test_timeout_of_several_jobs(redis: Redis, core: Core) -> None:
    core.put(0, "a")
    core.put(1, "b")
    core.pop(2, worker="w1")
    core.pop(2, worker="w2")
    a_lost = '{"jid":"a","event":"lock_lost","worker":"w1"}'
    b_lost = '{"jid":"b","event":"lock_lost","worker":"w2"}'
    with events(redis) as capture:
        core("job.timeout", 3, "b", "a")
        assert capture.drain() == [
            ("ql:w:w2", b_lost),
            ("ql:log", b_lost),
            ("ql:w:w1", a_lost),
            ("ql:log", a_lost),
        ]


# -- cancel -----------------------------------------------------------------------

CANCELED = ("ql:log", '{"jid":"jid","queue":"queue","event":"canceled","worker":""}')


@pytest.mark.parametrize("state", ["waiting", "scheduled", "depends", "failed"])
@pytest.mark.parametrize("tracked", [False, True])
def test_cancel_of_a_job_that_is_not_running(
    redis: Redis, core: Core, state: str, tracked: bool
) -> None:
    if state == "waiting":
        core.put(0, "jid")
    elif state == "scheduled":
        core.put(0, "jid", delay=10)
    elif state == "depends":
        core.put(0, "parent", "other")
        core.put(0, "jid", "queue", "depends", '["parent"]')
    else:
        running(core)
        core("job.fail", 2, "jid", "worker", "group", "message")
    assert core.job("jid")["state"] == state
    if tracked:
        track(redis, "jid")
    with events(redis) as capture:
        assert core("job.cancel", 5, "jid") == ["jid"]
        expected = [CANCELED]
        if tracked:
            expected.append(("ql:canceled", "jid"))
        assert capture.drain() == expected


def test_cancel_of_a_running_job(redis: Redis, core: Core) -> None:
    core.put(0, "jid", "q")
    core.pop(1, "q", worker="wrk")
    track(redis, "jid")
    payload = '{"jid":"jid","queue":"q","event":"canceled","worker":"wrk"}'
    with events(redis) as capture:
        core("job.cancel", 2, "jid")
        assert capture.drain() == [
            ("ql:log", payload),
            ("ql:w:wrk", payload),
            ("ql:canceled", "jid"),
        ]


@pytest.mark.parametrize("tracked", [False, True])
def test_cancel_of_a_missing_job(redis: Redis, core: Core, tracked: bool) -> None:
    if tracked:
        track(redis, "x")
    with events(redis) as capture:
        assert core("job.cancel", 0, "x") == ["x"]
        expected = [("ql:log", '{"jid":"x","queue":false,"event":"canceled","worker":false}')]
        if tracked:
            expected.append(("ql:canceled", "x"))
        assert capture.drain() == expected


def test_cancel_of_a_complete_job_publishes_nothing(redis: Redis, core: Core) -> None:
    running(core)
    core("job.complete", 2, "jid", "worker", "queue", "{}")
    track(redis, "jid")
    with events(redis) as capture:
        assert core("job.cancel", 3, "jid") == ["jid"]
        assert capture.drain() == []


def test_cancel_of_several_jobs_goes_jid_by_jid(redis: Redis, core: Core) -> None:
    core.put(0, "a")
    core.put(0, "b", "queue", "depends", '["a"]')
    track(redis, "a", "b")
    with events(redis) as capture:
        core("job.cancel", 1, "b", "a")
        assert capture.drain() == [
            ("ql:log", '{"jid":"b","queue":"queue","event":"canceled","worker":""}'),
            ("ql:canceled", "b"),
            ("ql:log", '{"jid":"a","queue":"queue","event":"canceled","worker":""}'),
            ("ql:canceled", "a"),
        ]


# -- commands that publish nothing ---------------------------------------------------

SILENT: list[tuple[str, tuple[Arg, ...]]] = [
    ("job.retry", ("jid", "queue", "worker")),
    ("job.retry", ("jid", "queue", "worker", 10, "group", "message")),
    ("job.heartbeat", ("jid", "worker")),
    ("job.heartbeat", ("jid", "worker", '{"a":1}')),
    ("job.setPriority", ("jid", 5)),
    ("job.setPriority", ("waiting", 5)),
    ("job.addDependency", ("child", "waiting")),
    ("job.removeDependency", ("child", "parent")),
    ("job.removeDependency", ("child", "all")),
    ("job.log", ("jid", "message", '{"a":1}')),
    ("job.get", ("jid",)),
    ("job.getMulti", ("jid", "waiting")),
    ("queue.unfail", ("queue", "group")),
    ("queue.pause", ("queue",)),
    ("queue.unpause", ("queue",)),
    ("queue.forget", ("queue",)),
    ("queue.peek", ("queue", 0, 10)),
    ("queue.length", ("queue",)),
    ("queue.counts", ("queue",)),
    ("queue.counts", ()),
    ("queue.jobsByState", ("scheduled", "queue")),
    ("queue.jobsByState", ("stalled", "queue")),
    ("jobs.completed", ()),
    ("jobs.failedByGroup", ("group",)),
    ("failureGroups.counts", ()),
]


@pytest.mark.parametrize(("command", "args"), SILENT)
def test_commands_that_publish_nothing(
    redis: Redis, core: Core, command: str, args: tuple[Arg, ...]
) -> None:
    running(core)
    core.put(0, "waiting")
    core.put(0, "later", delay=1)
    core.put(0, "parent", "side")
    core.put(0, "child", "side", "depends", '["parent"]')
    core.put(0, "failed", "other")
    core.pop(0, "other")
    core("job.fail", 0, "failed", "worker", "group", "message")
    track(redis, "jid", "waiting", "later", "parent", "child", "failed")
    with events(redis) as capture:
        core(command, 100, *args)
        assert capture.drain() == []


def test_retry_exhausting_retries_publishes_nothing(redis: Redis, core: Core) -> None:
    running(core, "jid", "retries", 0)
    track(redis, "jid")
    with events(redis) as capture:
        assert core("job.retry", 2, "jid", "queue", "worker") == -1
        assert capture.drain() == []
