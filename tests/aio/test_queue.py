"""Queue scenarios, each run through the sync and the async client (`both`)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from reqless.exceptions import ReqlessError
from tests.aio.conftest import Runner, Surface
from tests.helpers import snapshot

KLASS = "tests.aio.jobs.Noop"


def test_put_pop_complete(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        queue = s.client.queues["q"]
        assert queue == "q" and str(queue) == "q" and queue.name == "q"
        jid = await s(lambda c: c.queues["q"].put(KLASS, {"n": 1}, tags=["a"], priority=5))
        assert await s.length("q") == 1
        job = await s(lambda c: c.queues["q"].pop())
        assert (job.jid, job.state, job.worker_name) == (jid, "running", "test-worker")
        assert json.loads(job.data) == {"n": 1} and job.tags == ["a"] and job.priority == 5
        assert job.queue == "q" and job.ttl > 0
        assert await s(lambda c: job.complete()) == "complete"
        assert job.settled
        assert (await s.job(jid))[0].state == "complete"
        assert await s(lambda c: c.queues["q"].pop()) is None

    both(scenario)


def test_pop_and_peek_counts(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        await s(lambda c: c.queues["q"].put(KLASS, {"n": 0}))
        await s(lambda c: c.queues["q"].put(KLASS, {"n": 1}))
        await s(lambda c: c.queues["q"].put(KLASS, {"n": 2}))
        peeked = await s(lambda c: c.queues["q"].peek(count=2))
        assert [json.loads(job.data)["n"] for job in peeked] == [0, 1]
        assert (await s(lambda c: c.queues["q"].peek())).data == '{"n": 0}'
        popped = await s(lambda c: c.queues["q"].pop(5))
        assert [json.loads(job.data)["n"] for job in popped] == [0, 1, 2]
        assert await s(lambda c: c.queues["q"].pop(2)) == []
        running = await s(lambda c: c.queues["q"].jobs.running())
        assert sorted(running) == sorted(job.jid for job in popped)
        counts = await s.counts("q")
        assert counts["running"] == 3 and counts["waiting"] == 0

    both(scenario)


def test_scheduled_depends_requeue_and_stats(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        first = await s(lambda c: c.queues["q"].put(KLASS, {}))
        later = await s(lambda c: c.queues["q"].put(KLASS, {}, delay=60))
        waits = await s(lambda c: c.queues["q"].put(KLASS, {}, depends=[first]))
        assert await s(lambda c: c.queues["q"].jobs.scheduled()) == [later]
        assert await s(lambda c: c.queues["q"].jobs.depends()) == [waits]
        moved = await s(lambda c: c.queues["other"].requeue(KLASS, {"x": 1}, jid=first))
        assert moved == first and (await s.job(first))[0].queue_name == "other"
        stats = await s(lambda c: c.queues["q"].stats())
        assert set(stats) >= {"wait", "run", "failed", "retries"}

    both(scenario)


def test_requeue_of_a_missing_job_raises(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        with pytest.raises(ReqlessError, match="does not exist"):
            await s(lambda c: c.queues["q"].requeue(KLASS, {}, jid="missing"))

    both(scenario)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"priority": "high"}, "priority must be a finite number"),
        ({"delay": -1}, "delay must be a finite number >= 0"),
        ({"retries": 1.5}, "retries must be a non-negative integer"),
        ({"tags": "one"}, "tags must be a list of non-empty strings"),
        ({"jid": ""}, "jid must be a non-empty string"),
        ({"data": float("nan")}, "not JSON-serialisable"),
        ({"data": "{not json"}, "not JSON text"),
        ({"klass": ""}, "job class must be a class or a non-empty dotted path"),
    ],
)
def test_bad_put_arguments_raise_the_same_error_and_write_nothing(
    both: Runner, options: dict[str, Any], message: str
) -> None:
    async def scenario(s: Surface) -> None:
        before = snapshot(s.raw)
        arguments: dict[str, Any] = {"klass": KLASS, "data": {}, **options}
        with pytest.raises(ReqlessError, match=message):
            await s(lambda c: c.queues["q"].put(**arguments))
        assert snapshot(s.raw) == before

    both(scenario)


def test_recur_spawns_and_lists(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        jid = await s(lambda c: c.queues["q"].recur(KLASS, {"r": 1}, interval=60, tags=["t"]))
        assert await s(lambda c: c.queues["q"].jobs.recurring()) == [jid]
        spawned = await s(lambda c: c.queues["q"].pop())
        assert spawned.spawned_from_jid == jid and spawned.tags == ["t"]
        with pytest.raises(ReqlessError, match="interval must be a finite number > 0"):
            await s(lambda c: c.queues["q"].recur(KLASS, {}, interval=0))

    both(scenario)


def test_pause_unpause_and_heartbeat(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        await s(lambda c: c.queues["q"].put(KLASS, {}))
        await s(lambda c: c.queues["q"].pause())
        assert (await s.counts("q"))["paused"] is True
        assert await s(lambda c: c.queues["q"].pop()) is None
        await s(lambda c: c.queues["q"].unpause())
        if s.is_async:
            assert await s.client.queues["q"].heartbeat() == 60
            await s.client.queues["q"].set_heartbeat(7)
            assert await s.client.queues["q"].heartbeat() == 7
        else:
            assert s.client.queues["q"].heartbeat == 60
            s.client.queues["q"].heartbeat = 7
            assert s.client.queues["q"].heartbeat == 7
        job = await s(lambda c: c.queues["q"].pop())
        assert 5 < job.ttl <= 7

    both(scenario)


def test_stalled_jobs_are_listed(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        s.raw.hset("ql:config", "heartbeat", "0.2")
        jid = await s(lambda c: c.queues["q"].put(KLASS, {}))
        await s(lambda c: c.queues["q"].pop())
        time.sleep(0.3)
        assert await s(lambda c: c.queues["q"].jobs.stalled()) == [jid]
        assert await s(lambda c: c.queues["q"].jobs.throttled()) == []

    both(scenario)


def test_queue_throttle_and_counts_of_all_queues(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        await s(lambda c: c.queues["a"].put(KLASS, {}))
        await s(lambda c: c.queues["b"].put(KLASS, {}))
        throttle = s.client.queues["a"].throttle
        assert throttle.name == "ql:q:a"
        if s.is_async:
            counts = await s.client.queues.counts()
            names = await s.client.queues.names()
        else:
            counts, names = s.client.queues.counts, s.client.queues.names
        assert [entry["name"] for entry in counts] == ["a", "b"] and names == ["a", "b"]

    both(scenario)
