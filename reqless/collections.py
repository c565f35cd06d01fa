"""The client's collections: jobs, queues, throttles and workers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reqless._calls import server as calls
from reqless._collections_base import JobsBase, QueuesBase, Throttles, WorkersBase
from reqless.batch import Batch, BatchesBase
from reqless.exceptions import ReqlessError

if TYPE_CHECKING:
    from reqless.job import Job, RecurringJob
    from reqless.types import QueueCounts, WorkerCounts, WorkerJobs

__all__ = ["Batches", "Jobs", "Queues", "Throttles", "Workers"]


class Batches(BatchesBase):
    """Batches by id (`client.batches[bid]`) and their listing (docs/batches.md)."""

    def __getitem__(self, bid: str) -> Batch:
        """Batch `bid`; raises ReqlessError when it is unknown (or expired)."""
        found = self.get(bid)
        if found is None:
            raise ReqlessError(f"batch {bid} does not exist")
        return found


class Jobs(JobsBase):
    """Jobs across all queues (`client.jobs`)."""

    def __getitem__(self, jid: str) -> Job | RecurringJob | None:
        """The job or recurring template with this jid, or None.

        To a type checker the result may be either, or None: `get_job` and
        `get_recurring` return one kind, or raise.
        """
        return self._job(jid) or self._recurring(jid)


class Queues(QueuesBase):
    """Queues by name (`client.queues["name"]`) and the counts of all known queues."""

    @property
    def counts(self) -> list[QueueCounts]:
        """Counts of every known queue, in the order the queues were first seen."""
        return self.client._run(calls.queue_counts())

    @property
    def names(self) -> list[str]:
        """Names of every known queue, in the order they were first seen."""
        return self.client._run(calls.queue_names())


class Workers(WorkersBase):
    """Workers known to the server (`client.workers`)."""

    @property
    def counts(self) -> list[WorkerCounts]:
        """Every worker with its number of running and stalled jobs, most recent first."""
        return self.client._run(calls.workers_counts())

    def __getitem__(self, worker_name: str) -> WorkerJobs:
        """The jids a worker holds: `jobs` (lock valid) and `stalled` (lock expired)."""
        return self.client._run(calls.worker_jobs(worker_name))
