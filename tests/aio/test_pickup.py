"""Blocking pickup for asyncio workers: several jobs per call, woken by a put."""

from __future__ import annotations

import asyncio

from reqless.aio.pickup import AsyncPickup
from tests.aio.conftest import Runner, Surface

KLASS = "tests.aio.jobs.Noop"


def test_one_call_takes_as_many_jobs_as_asked_earlier_queues_first(aio: Runner) -> None:
    async def scenario(s: Surface) -> None:
        later = await s.client.queues["b"].put(KLASS, {})
        first = [await s.client.queues["a"].put(KLASS, {}) for _ in range(2)]
        pickup = AsyncPickup(s.client)
        jobs = await pickup.take(["a", "b"], lambda: 3, 0)
        assert [job.jid for job in jobs] == [*first, later]
        assert all(job.worker_name == "test-worker" for job in jobs)
        assert await pickup.take(["a", "b"], lambda: 3, 0) == []

    aio(scenario)


def test_a_waiting_pickup_is_woken_by_a_put(aio: Runner) -> None:
    async def scenario(s: Surface) -> None:
        pickup = AsyncPickup(s.client)
        waiting = asyncio.create_task(pickup.take(["q"], lambda: 1, 30))
        await asyncio.sleep(0.3)
        assert not waiting.done()  # blocked, and the loop is free meanwhile
        jid = await s.client.queues["q"].put(KLASS, {})
        jobs = await asyncio.wait_for(waiting, 10)
        assert [job.jid for job in jobs] == [jid]

    aio(scenario)


def test_a_stop_ends_the_wait(aio: Runner) -> None:
    async def scenario(s: Surface) -> None:
        stopping = False
        pickup = AsyncPickup(s.client, stopping=lambda: stopping)
        waiting = asyncio.create_task(pickup.take(["q"], lambda: 1, 30))
        await asyncio.sleep(0.2)
        stopping = True
        assert await asyncio.wait_for(waiting, 10) == []

    aio(scenario)
