"""Following jobs through both clients: progress, results, waiting and batches
(docs/progress.md, docs/results.md, docs/batches.md), and bad input refused with
one clear error and nothing written."""

from __future__ import annotations

import json
import math
import threading
import time
from contextlib import asynccontextmanager
from typing import Any

import pytest

from reqless.client import Client
from reqless.exceptions import (
    ArgumentError,
    CoreError,
    LostLockError,
    ReqlessError,
    WaitTimeoutError,
)
from reqless.models import Progress
from tests.aio.conftest import Runner, Surface
from tests.aio.jobs import Noop
from tests.helpers import snapshot

KLASS = "tests.aio.jobs.Noop"


async def popped(s: Surface, queue: str = "q") -> Any:
    """Put a job into `queue` and pop it as this client's worker."""
    await s(lambda c: c.queues[queue].put(KLASS, {}))
    job = await s(lambda c: c.queues[queue].pop())
    assert job is not None
    return job


def test_progress_is_kept_on_the_job_and_extends_the_lock(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        job = await popped(s)
        assert job.progress_info is None
        before = job.expires_at
        time.sleep(0.01)
        deadline = await s(lambda c: job.progress(0.25, "a quarter"))
        # The reply is whole seconds, as job.heartbeat's; the record keeps the fraction.
        assert deadline == job.expires_at >= math.floor(before)
        again = await s(lambda c: c.jobs.get_job(job.jid))
        assert again.progress_info.fraction == 0.25
        assert again.progress_info.message == "a quarter"
        assert isinstance(again.progress_info, Progress)
        assert abs(again.progress_info.at - time.time()) < 5
        assert again.expires_at > before

    both(scenario)


@pytest.mark.parametrize("fraction", [1.5, -0.1, math.nan, True, "0.5"])
def test_a_bad_fraction_is_refused_and_writes_nothing(both: Runner, fraction: Any) -> None:
    async def scenario(s: Surface) -> None:
        job = await popped(s)
        before = snapshot(s.raw)
        with pytest.raises(ArgumentError, match="fraction must be a number from 0 to 1"):
            await s(lambda c: job.progress(fraction))
        assert snapshot(s.raw) == before

    both(scenario)


def test_progress_of_a_job_not_held_raises_lost_lock(both: Runner, server: Any) -> None:
    async def scenario(s: Surface) -> None:
        await s(lambda c: c.queues["q"].put(KLASS, {}, jid="held"))
        other = Client(server.url, hostname="another-worker")
        try:
            job = other.queues["q"].pop()
            assert job is not None
            mine = await s(lambda c: c.jobs.get_job("held"))
            before = snapshot(s.raw)
            with pytest.raises(LostLockError, match="another worker"):
                await s(lambda c: mine.progress(0.5))
            assert snapshot(s.raw) == before
        finally:
            other.database.close()

    both(scenario)


def test_complete_keeps_the_result(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        job = await popped(s)
        assert job.result is None
        assert await s(lambda c: job.complete(result={"rows": 3, "ok": True})) == "complete"
        done = await s(lambda c: c.jobs.get_job(job.jid))
        assert done.result == {"rows": 3, "ok": True}
        plain = await popped(s)
        await s(lambda c: plain.complete())
        assert (await s(lambda c: c.jobs.get_job(plain.jid))).result is None

    both(scenario)


def test_a_result_that_is_not_json_is_refused_and_writes_nothing(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        job = await popped(s)
        before = snapshot(s.raw)
        with pytest.raises(ArgumentError, match="result must be JSON-serialisable, not set"):
            await s(lambda c: job.complete(result={1, 2}))
        with pytest.raises(ArgumentError, match="result must be JSON-serialisable, not float"):
            await s(lambda c: job.complete(result=math.inf))
        assert snapshot(s.raw) == before
        assert (await s(lambda c: c.jobs.get_job(job.jid))).state == "running"

    both(scenario)


def test_a_result_over_the_limit_is_refused_by_the_core(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        job = await popped(s)
        before = snapshot(s.raw)
        with pytest.raises(
            CoreError, match=r'Arg "result" is 524291 bytes, over the limit of 524288 '
            r"\(config max-result-size\)",
        ):  # fmt: skip
            await s(lambda c: job.complete(result="x" * 524289))
        assert snapshot(s.raw) == before
        # The server's setting is the limit, not the client's idea of it.
        s.raw.hset("ql:config", "max-result-size", 600000)
        await s(lambda c: job.complete(result="x" * 524289))
        assert (await s(lambda c: c.jobs.get_job(job.jid))).result == "x" * 524289

    both(scenario)


@asynccontextmanager
async def finished_later(server: Any, jid: str, how: str, after: float = 0.3) -> Any:
    """Pop `jid` as another worker and finish it (`how`) after `after` seconds."""
    other = Client(server.url, hostname="other-worker")

    def finish() -> None:
        time.sleep(after)
        if how == "cancel":
            other.jobs.get_job(jid).cancel()
            return
        job = other.queues["q"].pop()
        assert job is not None and job.jid == jid
        if how == "complete":
            job.complete(result=[1, 2, 3])
        else:
            job.fail("broken", "it broke")

    thread = threading.Thread(target=finish)
    thread.start()
    try:
        yield
    finally:
        thread.join(10)
        other.database.close()


@pytest.mark.parametrize("how", ["complete", "fail", "cancel"])
def test_wait_returns_how_the_job_ended(both: Runner, server: Any, how: str) -> None:
    async def scenario(s: Surface) -> None:
        await s(lambda c: c.queues["q"].put(KLASS, {}, jid="w"))
        started = time.monotonic()
        async with finished_later(server, "w", how):
            outcome = await s(lambda c: c.jobs.wait("w", timeout=10))
        assert time.monotonic() - started < 5
        assert outcome.jid == "w"
        if how == "complete":
            assert (outcome.state, outcome.ok, outcome.result) == ("complete", True, [1, 2, 3])
            assert outcome.job.jid == "w" and outcome.failure is None
        elif how == "fail":
            assert (outcome.state, outcome.ok, outcome.result) == ("failed", False, None)
            assert outcome.failure["group"] == "broken"
            assert outcome.failure["message"] == "it broke"
        else:
            assert (outcome.state, outcome.job, outcome.result) == ("canceled", None, None)

    both(scenario)


def test_wait_on_a_finished_job_returns_at_once(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        job = await popped(s)
        await s(lambda c: job.complete(result="done"))
        outcome = await s(lambda c: c.jobs.wait(job.jid, timeout=0.5))
        assert (outcome.state, outcome.result) == ("complete", "done")

    both(scenario)


def test_wait_times_out_with_a_timeout_error(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        await s(lambda c: c.queues["q"].put(KLASS, {}, jid="slow"))
        started = time.monotonic()
        with pytest.raises(WaitTimeoutError, match=r"job slow did not finish within 0\.3 s") as got:
            await s(lambda c: c.jobs.wait("slow", timeout=0.3))
        assert 0.25 < time.monotonic() - started < 3
        assert isinstance(got.value, TimeoutError) and isinstance(got.value, ReqlessError)
        assert (got.value.jid, got.value.state) == ("slow", "waiting")

    both(scenario)


def test_wait_refuses_an_unknown_jid_and_a_bad_timeout(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        with pytest.raises(CoreError, match="Wait\\(\\): Job nope does not exist"):
            await s(lambda c: c.jobs.wait("nope", timeout=1))
        await s(lambda c: c.queues["q"].put(KLASS, {}, jid="j"))
        before = snapshot(s.raw)
        for bad in (0, -1, "soon"):
            with pytest.raises(ArgumentError, match="timeout"):
                await s(lambda c, bad=bad: c.jobs.wait("j", timeout=bad))  # type: ignore[misc]
        assert snapshot(s.raw) == before

    both(scenario)


class SuccessCallback:
    """A batch's callback class (module level: nameable)."""


async def open_batch(s: Surface, body: Any, **callbacks: Any) -> Any:
    """Run `body(batch)` inside `with client.batch(...)` (or `async with`)."""
    context = s.client.batch(**callbacks)
    if s.is_async:
        async with context as batch:
            await body(batch)
    else:
        with context as batch:
            await body(batch)
    return batch


def test_a_batch_puts_its_callbacks_when_its_jobs_finish(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        jids: list[str] = []

        async def body(batch: Any) -> None:
            assert batch.state == "open"
            jids.append(await s(lambda c: batch.put("q", Noop, {"n": 1})))
            jids.append(await s(lambda c: batch.put("other", KLASS, {"n": 2}, priority=5)))

        batch = await open_batch(
            s, body, on_success=(SuccessCallback, {"to": "me"}, "cb"),
            on_complete=("tests.aio.jobs.Noop", {}, "cb", 2),
        )  # fmt: skip
        assert (batch.state, batch.total, batch.pending) == ("closed", 2, 2)
        for jid in jids:
            found = await s(lambda c, jid=jid: c.jobs.get_job(jid))  # type: ignore[misc]
            assert found.batch == batch.id
        for queue in ("q", "other"):
            job = await s(lambda c, queue=queue: c.queues[queue].pop())  # type: ignore[misc]
            await s(lambda c, job=job: job.complete())  # type: ignore[misc]
        found = await s(lambda c: c.batches.get(batch.id))
        assert (found.state, found.complete, found.pending) == ("finished", 2, 0)
        success = await s(lambda c: c.jobs.get_job(f"{batch.id}-success"))
        assert success.klass_name == f"{__name__}.SuccessCallback"
        assert json.loads(success.data)["to"] == "me"
        assert json.loads(success.data)["batch"]["complete"] == 2
        assert (await s(lambda c: c.jobs.get_job(f"{batch.id}-complete"))).priority == 2
        assert sorted(await s(lambda c: found.jobs())) == sorted(jids)
        listed = await s(lambda c: c.batches.list())
        assert [item.id for item in listed] == [batch.id]

    both(scenario)


def test_a_batch_is_closed_when_its_body_raises(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        opened: list[Any] = []

        async def body(batch: Any) -> None:
            opened.append(batch)
            await s(lambda c: batch.put("q", KLASS, {}))
            raise RuntimeError("half way")

        with pytest.raises(RuntimeError, match="half way"):
            await open_batch(s, body)
        found = await s(lambda c: c.batches.get(opened[0].id))
        assert (found.state, found.total) == ("closed", 1)
        assert await s.length("q") == 1

    both(scenario)


def test_cancel_a_batch(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        async def body(batch: Any) -> None:
            for _ in range(3):
                await s(lambda c: batch.put("q", KLASS, {}))

        batch = await open_batch(s, body, on_complete=(SuccessCallback, {}, "cb"))
        canceled = await s(lambda c: batch.cancel())
        assert len(canceled) == 3
        assert (batch.state, batch.canceled, batch.pending) == ("finished", 3, 0)
        asked = [canceled[2], "not-a-member", canceled[0]]
        assert await s(lambda c: batch.canceled_jids(asked)) == [canceled[2], canceled[0]]
        assert await s.length("q") == 0
        assert await s.length("cb") == 1

    both(scenario)


class Outer:
    """Holds a nested class, which has no module-level name."""

    class Nested:
        pass


def local_callbacks() -> list[Any]:
    """Callbacks no worker could import by name."""

    class Local:
        pass

    return [lambda job: None, Local, Outer.Nested]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_a_callback_that_cannot_be_named_is_refused_before_anything(
    both: Runner, index: int
) -> None:
    async def scenario(s: Surface) -> None:
        before = snapshot(s.raw)
        with pytest.raises(ArgumentError, match=r"on_success class .* cannot be named"):
            s.client.batch(on_success=(local_callbacks()[index], {}, "cb"))
        with pytest.raises(ArgumentError, match=r"on_complete must be \(klass, data, queue\)"):
            s.client.batch(on_complete=(SuccessCallback, {}))
        assert snapshot(s.raw) == before

    both(scenario)


def test_put_into_an_unknown_batch_is_refused(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        before = snapshot(s.raw)
        with pytest.raises(CoreError, match="batch nope is not open"):
            await s(lambda c: c.queues["q"].put(KLASS, {}, batch="nope"))
        with pytest.raises(CoreError, match="batch nope is not open"):
            await s(
                lambda c: c.queues["q"].put_many([{"klass": KLASS, "data": {}, "batch": "nope"}])
            )
        assert snapshot(s.raw) == before

    both(scenario)


def test_unknown_batch_lookups(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        assert await s(lambda c: c.batches.get("nope")) is None
        if not s.is_async:
            with pytest.raises(ReqlessError, match="batch nope does not exist"):
                s.client.batches["nope"]

    both(scenario)
