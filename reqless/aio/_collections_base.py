"""The client's collections (jobs, queues, throttles, workers): the part both clients
share (`[]` and the counts differ by design, see the collection classes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reqless import defaults
from reqless._calls import server as calls
from reqless.exceptions import ReqlessError

if TYPE_CHECKING:
    from reqless.aio.client import AsyncClient
    from reqless.aio.job import AsyncJob, AsyncRecurringJob
    from reqless.aio.queue import AsyncQueue
    from reqless.aio.throttle import AsyncThrottle

__all__ = ["AsyncJobsBase", "AsyncQueuesBase", "AsyncThrottles", "AsyncWorkersBase"]


class AsyncJobsBase:
    """Jobs across all queues: the lookups and listings both clients share."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    async def _job(self, jid: str) -> AsyncJob | None:
        from reqless.aio.job import AsyncJob

        payload = await self.client._run(calls.get_job(jid))
        return AsyncJob(self.client, **payload) if payload else None

    async def _recurring(self, jid: str) -> AsyncRecurringJob | None:
        from reqless.aio.job import AsyncRecurringJob

        payload = await self.client._run(calls.get_recurring(jid))
        return AsyncRecurringJob(self.client, **payload) if payload else None

    async def get_job(self, jid: str) -> AsyncJob:
        """The job with this jid; raises ReqlessError when there is none."""
        job = await self._job(jid)
        if job is None:
            raise ReqlessError(f"job {jid} does not exist")
        return job

    async def get_recurring(self, jid: str) -> AsyncRecurringJob:
        """The recurring template with this jid; raises ReqlessError when there is none."""
        template = await self._recurring(jid)
        if template is None:
            raise ReqlessError(f"recurring job {jid} does not exist")
        return template

    async def get(self, *jids: str) -> list[AsyncJob]:
        """The jobs with these jids that exist, in the given order."""
        from reqless.aio.job import AsyncJob

        if not jids:
            return []
        payloads = await self.client._run(calls.get_jobs(jids))
        return [AsyncJob(self.client, **payload) for payload in payloads]

    async def unique_holder(self, key: str) -> str | None:
        """The jid of the live job holding unique key `key`, or None (docs/concepts.md,
        Unique jobs)."""
        return await self.client._run(calls.unique_holder(key))

    async def free_unique(self, key: str) -> bool:
        """Free unique key `key`, so that the next put naming it is put; True when it
        was held. The job that held it is left as it is."""
        return await self.client._run(calls.free_unique(key))

    async def complete(self, offset: int = 0, count: int = defaults.PAGE_SIZE) -> list[str]:
        """Jids of completed jobs, most recent first."""
        return await self.client._run(calls.completed(offset, count))

    async def tracked(self) -> dict[str, Any]:
        """Tracked jobs (`jobs`, as job objects) and tracked jids that no longer exist."""
        from reqless.aio.job import AsyncJob

        result = await self.client._run(calls.tracked())
        result["jobs"] = [AsyncJob(self.client, **payload) for payload in result["jobs"]]
        return result

    async def tagged(
        self, tag: str, offset: int = 0, count: int = defaults.PAGE_SIZE
    ) -> dict[str, Any]:
        """`{"total": n, "jobs": [jid, ...]}` for jobs carrying `tag`."""
        return await self.client._run(calls.tagged(tag, offset, count))

    async def failed(
        self, group: str | None = None, start: int = 0, limit: int = defaults.PAGE_SIZE
    ) -> dict[str, Any]:
        """Without a group: failure counts per group. With one: its total and jobs."""
        if not group:
            return await self.client._run(calls.failure_counts())
        result = await self.client._run(calls.failed_by_group(group, start, limit))
        result["jobs"] = await self.get(*result["jobs"])
        return result


class AsyncQueuesBase:
    """Queues by name (`client.queues["name"]`, no server call)."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    def __getitem__(self, name: str) -> AsyncQueue:
        from reqless.aio.queue import AsyncQueue

        return AsyncQueue(name, self.client, self.client.worker_name)


class AsyncThrottles:
    """Throttles by name (`client.throttles["name"]`, no server call)."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    def __getitem__(self, name: str) -> AsyncThrottle:
        from reqless.aio.throttle import AsyncThrottle

        return AsyncThrottle(self.client, name)


class AsyncWorkersBase:
    """Workers known to the server: what both clients share."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    async def forget(self, *worker_names: str) -> None:
        """Remove workers from the listings."""
        await self.client._run(calls.worker_forget(worker_names))
