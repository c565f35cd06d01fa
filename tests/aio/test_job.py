"""Job and recurring-template scenarios, through the sync and the async client."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from reqless.aio import AsyncJob
from reqless.aio.pickup import AsyncPickup
from reqless.exceptions import LostLockError, ReqlessError
from reqless.job import Job
from reqless.logger import logger
from tests.aio.conftest import Runner, Surface
from tests.helpers import snapshot

KLASS = "tests.aio.jobs.Noop"


async def popped(s: Surface, queue: str = "q", **options: Any) -> Any:
    """Put a job and pop it."""
    await s(lambda c: c.queues[queue].put(KLASS, {"n": 1}, **options))
    return await s(lambda c: c.queues[queue].pop())


def test_fail_heartbeat_and_data(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        job = await popped(s)
        job.data = {"saved": True}
        assert await s(lambda c: job.heartbeat()) == job.expires_at > 0
        assert json.loads((await s.job(job.jid))[0].data) == {"saved": True}
        assert await s(lambda c: job.fail("q-oops", "it broke")) is True
        failed = await s(lambda c: c.jobs.failed())
        assert failed == {"q-oops": 1}
        group = await s(lambda c: c.jobs.failed("q-oops"))
        assert group["total"] == 1 and [j.jid for j in group["jobs"]] == [job.jid]
        assert group["jobs"][0].failure["message"] == "it broke"
        assert await s(lambda c: c.unfail("q-oops", "q")) == 1

    both(scenario)


def test_retry_cancel_and_timeout(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        job = await popped(s, retries=1)
        assert await s(lambda c: job.retry(0, "q-group", "note")) == 0
        again = await s(lambda c: c.queues["q"].pop())
        assert again.jid == job.jid and again.retries_left == 0
        await s(lambda c: again.timeout())
        assert (await s.job(job.jid))[0].state == "stalled"
        third = await s(lambda c: c.queues["q"].pop())
        assert await s(lambda c: third.cancel()) == [job.jid]
        assert await s.job(job.jid) == []

    both(scenario)


def test_lost_lock_raises_lost_lock_error_and_changes_nothing(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        job = await popped(s)
        await s(lambda c: job.move("elsewhere"))
        before = snapshot(s.raw)
        actions: list[Callable[[Any], Any]] = [
            lambda c: job.complete(),
            lambda c: job.fail("g", "m"),
            lambda c: job.retry(),
        ]
        for action in actions:
            job.settled = False
            with pytest.raises(LostLockError) as caught:
                await s(action)
            assert caught.value.jid == job.jid and job.settled
        with pytest.raises(LostLockError):
            await s(lambda c: job.heartbeat())
        assert snapshot(s.raw) == before

    both(scenario)


def test_complete_into_the_next_queue(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        job = await popped(s)
        assert await s(lambda c: job.complete("next", delay=0)) is True
        assert (await s.job(job.jid))[0].queue_name == "next"

    both(scenario)


def test_tags_tracking_dependencies_and_log(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        first = await s(lambda c: c.queues["q"].put(KLASS, {}))
        other = await s(lambda c: c.queues["q"].put(KLASS, {}))
        waiting = await s(lambda c: c.queues["q"].put(KLASS, {}, depends=[first]))
        job = (await s.job(waiting))[0]
        assert job.dependencies == [first]
        assert await s(lambda c: job.tag("a", "b")) == ["a", "b"]
        assert await s(lambda c: job.untag("a")) == ["b"]
        assert await s(lambda c: c.jobs.tagged("b")) == {"total": 1, "jobs": [waiting]}
        assert await s(lambda c: job.depend(other)) is not False
        assert await s(lambda c: job.undepend(all=True)) is not False
        assert (await s.job(waiting))[0].state == "waiting"
        assert await s(lambda c: job.track()) is True
        assert await s(lambda c: c.track(waiting)) is False
        tracked = await s(lambda c: c.jobs.tracked())
        assert [j.jid for j in tracked["jobs"]] == [waiting] and tracked["expired"] == []
        assert await s(lambda c: job.untrack()) is True
        await s(lambda c: job.log("hello", {"k": 1}))
        history = (await s.job(waiting))[0].history
        assert history[-1]["what"] == "hello" and history[-1]["k"] == 1
        with pytest.raises(ReqlessError, match="tags must be a list"):
            await s(lambda c: job.tag(""))

    both(scenario)


def test_priority_change(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        low = await s(lambda c: c.queues["q"].put(KLASS, {}))
        high = await s(lambda c: c.queues["q"].put(KLASS, {}))
        job = (await s.job(high))[0]
        if s.is_async:
            await job.set_priority(10)
        else:
            job.priority = 10
        assert job.priority == 10
        assert [j.jid for j in await s(lambda c: c.queues["q"].pop(2))] == [high, low]
        gone = (await s.job(low))[0]
        await s(lambda c: gone.cancel())
        with pytest.raises(ReqlessError, match=f"job {low} does not exist"):
            if s.is_async:
                await gone.set_priority(1)
            else:
                gone.priority = 1

    both(scenario)


def test_job_lookups(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        jid = await s(lambda c: c.queues["q"].put(KLASS, {}))
        recurring = await s(lambda c: c.queues["r"].recur(KLASS, {}, interval=60))
        if s.is_async:
            found, template = await s.client.jobs.find(jid), await s.client.jobs.find(recurring)
            assert await s.client.jobs.find("nope") is None
        else:
            found, template = s.client.jobs[jid], s.client.jobs[recurring]
            assert s.client.jobs["nope"] is None
        assert found.jid == jid and template.interval == 60
        assert (await s(lambda c: c.jobs.get_job(jid))).jid == jid
        assert (await s(lambda c: c.jobs.get_recurring(recurring))).jid == recurring
        with pytest.raises(ReqlessError, match="job nope does not exist"):
            await s(lambda c: c.jobs.get_job("nope"))
        with pytest.raises(ReqlessError, match="recurring job nope does not exist"):
            await s(lambda c: c.jobs.get_recurring("nope"))
        assert await s(lambda c: c.jobs.get()) == []
        job = await s(lambda c: c.queues["q"].pop())
        await s(lambda c: job.complete())
        assert await s(lambda c: c.jobs.complete()) == [jid]

    both(scenario)


def test_recurring_template_changes(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        jid = await s(lambda c: c.queues["q"].recur(KLASS, {"a": 1}, interval=60, offset=30))
        template = await s(lambda c: c.jobs.get_recurring(jid))
        if s.is_async:
            await template.set_priority(3)
            await template.set_retries(2)
            await template.set_interval(120)
            await template.set_data({"b": 2})
            await template.set_klass("tests.aio.jobs.AsyncCompletes")
            upcoming = await template.next_run()
        else:
            template.priority, template.retries, template.interval = 3, 2, 120
            template.data = {"b": 2}
            template.klass = "tests.aio.jobs.AsyncCompletes"
            upcoming = template.next
        assert upcoming is not None
        fresh = await s(lambda c: c.jobs.get_recurring(jid))
        assert (fresh.priority, fresh.retries, fresh.interval) == (3, 2, 120)
        assert json.loads(fresh.data) == {"b": 2}
        assert fresh.klass_name == "tests.aio.jobs.AsyncCompletes"
        assert await s(lambda c: template.tag("x")) == ["x"]
        assert await s(lambda c: template.untag("x")) == []
        assert await s(lambda c: template.move("other")) == 1
        assert template.queue_name == "other"
        assert await s(lambda c: template.cancel()) == [jid]
        assert await s(lambda c: c.jobs.get(jid)) == []

    both(scenario)


def test_process_runs_async_and_plain_handlers(aio: Runner) -> None:
    async def scenario(s: Surface) -> None:
        for klass in ("AsyncCompletes", "PlainCompletes"):
            jid = await s.client.queues["q"].put(f"tests.aio.jobs.{klass}", {})
            job = await s.client.queues["q"].pop()
            await job.process()
            assert job.settled
            done = await s.client.jobs.get_job(jid)
            expected = "AsyncJob" if klass.startswith("Async") else "Job"
            assert (done.state, json.loads(done.data)["given"]) == ("complete", expected)

    aio(scenario)


def test_process_fails_what_the_sync_client_fails(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        cases = [
            # The sync client cannot await an async handler: it says so.
            ("tests.aio.jobs.AsyncRaises", "q", "q-ValueError" if s.is_async else "q-TypeError"),
            ("tests.aio.nowhere.Missing", "q", "q-ModuleNotFoundError"),
            ("tests.aio.jobs.OnlyOtherQueue", "q", "q-method-missing"),
        ]
        level = logger.level
        logger.setLevel(logging.CRITICAL)  # the failures are logged on purpose
        try:
            for klass, queue, group in cases:
                jid = await s(lambda c: c.queues[queue].put(klass, {}))  # noqa: B023
                job = await s(lambda c: c.queues[queue].pop())  # noqa: B023
                if s.is_async:
                    await job.process()
                else:
                    job.process()
                assert (await s.job(jid))[0].failure["group"] == group
        finally:
            logger.setLevel(level)

    both(scenario)


def test_a_popped_async_job_needs_its_details_loaded(aio: Runner) -> None:
    async def scenario(s: Surface) -> None:
        await s.client.queues["q"].put(KLASS, {})
        # A worker's pickup leaves the details out (a queue's pop has them).
        [job] = await AsyncPickup(s.client).take(["q"], lambda: 1, 0)
        assert isinstance(job, AsyncJob) and repr(job).startswith(f"<{KLASS} {job.jid}")
        with pytest.raises(ReqlessError, match="load_details"):
            job.history  # noqa: B018
        await job.load_details()
        assert job.history[0]["what"] == "put" and job.dependencies == job.dependents == []
        twin = job.sync_job()
        assert isinstance(twin, Job) and twin.jid == job.jid
        assert twin.client.worker_name == s.client.worker_name

    aio(scenario)
