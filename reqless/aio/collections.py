"""The asyncio client's collections: jobs, queues, throttles and workers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reqless._calls import server as calls
from reqless.aio._collections_base import (
    AsyncJobsBase,
    AsyncQueuesBase,
    AsyncThrottles,
    AsyncWorkersBase,
)
from reqless.aio.batch import AsyncBatchesBase

if TYPE_CHECKING:
    from reqless.aio.job import AsyncJob, AsyncRecurringJob
    from reqless.types import QueueCounts, WorkerCounts, WorkerJobs

__all__ = ["AsyncBatches", "AsyncJobs", "AsyncQueues", "AsyncThrottles", "AsyncWorkers"]


class AsyncBatches(AsyncBatchesBase):
    """Batches by id (`await client.batches.get(bid)`) and their listing (docs/batches.md)."""


class AsyncJobs(AsyncJobsBase):
    """Jobs across all queues (`client.jobs`)."""

    async def find(self, jid: str) -> AsyncJob | AsyncRecurringJob | None:
        """The job or recurring template with this jid, or None (`client.jobs[jid]`)."""
        return await self._job(jid) or await self._recurring(jid)


class AsyncQueues(AsyncQueuesBase):
    """Queues by name (`client.queues["name"]`, no server call) and their counts."""

    async def counts(self) -> list[QueueCounts]:
        """Counts of every known queue, in the order the queues were first seen."""
        return await self.client._run(calls.queue_counts())

    async def names(self) -> list[str]:
        """Names of every known queue, in the order they were first seen."""
        return await self.client._run(calls.queue_names())


class AsyncWorkers(AsyncWorkersBase):
    """Workers known to the server (`client.workers`)."""

    async def counts(self) -> list[WorkerCounts]:
        """Every worker with its number of running and stalled jobs, most recent first."""
        return await self.client._run(calls.workers_counts())

    async def jobs(self, worker_name: str) -> WorkerJobs:
        """The jids a worker holds (`client.workers[name]` of the sync client)."""
        return await self.client._run(calls.worker_jobs(worker_name))
