"""Both clients count and list as stalled the jobs the next pop hands to another
worker: expired locks and jobs handed back with `job.timeout` (docs/concepts.md)."""

from __future__ import annotations

from typing import Any

from tests.aio.conftest import Runner, Surface
from tests.stalled_jobs import QUEUE, STALLED, make_stalled_jobs


def test_handed_back_and_expired_jobs_are_counted_as_stalled(both: Runner) -> None:
    async def scenario(api: Surface) -> None:
        make_stalled_jobs(api.raw)
        counts = await api.counts(QUEUE)
        assert (counts["waiting"], counts["stalled"], counts["running"]) == (1, 2, 0)
        # `client.queues.counts` is a property of the sync client, a method of the async one.
        every: list[Any] = await api(
            lambda c: c.queues.counts() if api.is_async else c.queues.counts
        )
        assert [(q["name"], q["waiting"], q["stalled"]) for q in every] == [(QUEUE, 1, 2)]

    both(scenario)


def test_handed_back_and_expired_jobs_are_listed_as_stalled(both: Runner) -> None:
    async def scenario(api: Surface) -> None:
        make_stalled_jobs(api.raw)
        jobs = api.client.queues[QUEUE].jobs
        assert await api(lambda c: jobs.stalled()) == STALLED
        # Paging runs across both kinds: expired locks, then handed-back jobs.
        assert await api(lambda c: jobs.stalled(1, 5)) == ["handed"]
        assert await api(lambda c: jobs.stalled(0, 1)) == ["expired"]
        assert await api(lambda c: jobs.stalled(2, 5)) == []
        assert await api(lambda c: jobs.running()) == []

    both(scenario)
