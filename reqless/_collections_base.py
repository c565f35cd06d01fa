# GENERATED from reqless/aio/_collections_base.py by scripts/unasync: edit that file, then run it.
"""The client's collections (jobs, queues, throttles, workers): the part both clients
share (`[]` and the counts differ by design, see the collection classes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reqless import defaults
from reqless._calls import server as calls
from reqless.exceptions import ReqlessError

if TYPE_CHECKING:
    from reqless.client import Client
    from reqless.job import Job, RecurringJob
    from reqless.queue import Queue
    from reqless.throttle import Throttle

__all__ = ["JobsBase", "QueuesBase", "Throttles", "WorkersBase"]


class JobsBase:
    """Jobs across all queues: the lookups and listings both clients share."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def _job(self, jid: str) -> Job | None:
        from reqless.job import Job

        payload = self.client._run(calls.get_job(jid))
        return Job(self.client, **payload) if payload else None

    def _recurring(self, jid: str) -> RecurringJob | None:
        from reqless.job import RecurringJob

        payload = self.client._run(calls.get_recurring(jid))
        return RecurringJob(self.client, **payload) if payload else None

    def get_job(self, jid: str) -> Job:
        """The job with this jid; raises ReqlessError when there is none."""
        job = self._job(jid)
        if job is None:
            raise ReqlessError(f"job {jid} does not exist")
        return job

    def get_recurring(self, jid: str) -> RecurringJob:
        """The recurring template with this jid; raises ReqlessError when there is none."""
        template = self._recurring(jid)
        if template is None:
            raise ReqlessError(f"recurring job {jid} does not exist")
        return template

    def get(self, *jids: str) -> list[Job]:
        """The jobs with these jids that exist, in the given order."""
        from reqless.job import Job

        if not jids:
            return []
        payloads = self.client._run(calls.get_jobs(jids))
        return [Job(self.client, **payload) for payload in payloads]

    def unique_holder(self, key: str) -> str | None:
        """The jid of the live job holding unique key `key`, or None (docs/concepts.md,
        Unique jobs)."""
        return self.client._run(calls.unique_holder(key))

    def free_unique(self, key: str) -> bool:
        """Free unique key `key`, so that the next put naming it is put; True when it
        was held. The job that held it is left as it is."""
        return self.client._run(calls.free_unique(key))

    def complete(self, offset: int = 0, count: int = defaults.PAGE_SIZE) -> list[str]:
        """Jids of completed jobs, most recent first."""
        return self.client._run(calls.completed(offset, count))

    def tracked(self) -> dict[str, Any]:
        """Tracked jobs (`jobs`, as job objects) and tracked jids that no longer exist."""
        from reqless.job import Job

        result = self.client._run(calls.tracked())
        result["jobs"] = [Job(self.client, **payload) for payload in result["jobs"]]
        return result

    def tagged(self, tag: str, offset: int = 0, count: int = defaults.PAGE_SIZE) -> dict[str, Any]:
        """`{"total": n, "jobs": [jid, ...]}` for jobs carrying `tag`."""
        return self.client._run(calls.tagged(tag, offset, count))

    def failed(
        self, group: str | None = None, start: int = 0, limit: int = defaults.PAGE_SIZE
    ) -> dict[str, Any]:
        """Without a group: failure counts per group. With one: its total and jobs."""
        if not group:
            return self.client._run(calls.failure_counts())
        result = self.client._run(calls.failed_by_group(group, start, limit))
        result["jobs"] = self.get(*result["jobs"])
        return result


class QueuesBase:
    """Queues by name (`client.queues["name"]`, no server call)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def __getitem__(self, name: str) -> Queue:
        from reqless.queue import Queue

        return Queue(name, self.client, self.client.worker_name)


class Throttles:
    """Throttles by name (`client.throttles["name"]`, no server call)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def __getitem__(self, name: str) -> Throttle:
        from reqless.throttle import Throttle

        return Throttle(self.client, name)


class WorkersBase:
    """Workers known to the server: what both clients share."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def forget(self, *worker_names: str) -> None:
        """Remove workers from the listings."""
        self.client._run(calls.worker_forget(worker_names))
