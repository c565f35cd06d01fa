# GENERATED from reqless/aio/_collections_base.py by scripts/unasync: edit that file, then run it.
"""The client's collections (jobs, queues, throttles, workers): the part both clients
share (`[]` and the counts differ by design, see the collection classes)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless import _validate, defaults
from reqless._calls import follow
from reqless._calls import server as calls
from reqless.exceptions import ReqlessError, WaitTimeoutError
from reqless.models import ThrottleTemplate
from reqless.util import read_timeout
from reqless.waiting import JobOutcome

if TYPE_CHECKING:
    from reqless.client import Client
    from reqless.job import Job, RecurringJob
    from reqless.queue import Queue
    from reqless.throttle import Throttle

__all__ = ["JobsBase", "QueuesBase", "Throttles", "WorkersBase"]


def _block_slice(database: Any) -> float:
    """The longest single BLPOP on `database`: well inside its socket timeout
    (redis-py's default of 5 s when unknown, as for a cluster's nodes)."""
    limit = read_timeout(database)
    if limit is None:
        limit = 5.0
    return max(float(limit) - 2.0, float(limit) / 2, 0.01)


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

    def wait(self, jid: str, timeout: float = 10) -> JobOutcome[Job]:
        """Wait up to `timeout` seconds for job `jid` to finish; returns how it ended.

        The outcome's `state` is "complete", "failed" or "canceled", with the job
        (None once it is gone), its `result` and its `failure` (docs/results.md).
        Nothing polls: the server pushes the final state to a list this BLPOPs.
        A job that is not finished in time raises WaitTimeoutError (a TimeoutError);
        an unknown jid raises CoreError, a bad timeout ArgumentError. A retried
        job is not finished: the wait goes on until it ends for good.
        """
        seconds = _validate.positive("timeout", timeout)
        deadline = time.monotonic() + seconds
        begun = self.client._run(follow.job_wait(jid))
        state, wake = begun["state"], begun["wake"]
        if wake is not None:
            # The list is the job's, in the namespace's slot: routed as its key says.
            # Each BLPOP ends before the connection's socket timeout would cut it.
            block = _block_slice(self.client.database)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise WaitTimeoutError(jid, float(seconds), state)
                try:
                    token = self.client.database.blpop([wake], timeout=min(left, block))
                except (RedisTimeoutError, RedisConnectionError):
                    token = None
                if token:
                    state = str(token[1])
                    break
                # Nothing within the slice, or a reply lost (perhaps with the token
                # in it, if the connection gave up or redis-py resent the BLPOP):
                # the job's own state says whether it ended meanwhile.
                ended = self._ended(jid)
                if ended is not None:
                    state = ended
                    break
        return JobOutcome(jid, state, self._job(jid))

    def _ended(self, jid: str) -> str | None:
        """How job `jid` ended (complete, failed, or canceled once it is gone), None
        while it has not: one read of its state field."""
        state = self.client.database.hget(self.client.keys.job(jid), "state")
        if state is None:
            return "canceled"
        state = state.decode() if isinstance(state, bytes) else str(state)
        return state if state in ("complete", "failed") else None

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
    """Throttles by name (`client.throttles["name"]`, no server call), and the
    templates that define throttles by their name's prefix."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def __getitem__(self, name: str) -> Throttle:
        from reqless.throttle import Throttle

        return Throttle(self.client, name)

    def template(
        self, pattern: str, *, maximum: int = 0, rate: int | None = None, per: float | None = None
    ) -> None:
        """Define every throttle named `prefix...` that has no definition of its own.

        A throttle per key (`"stripe:customer-42"`) then needs no set-up and costs
        nothing while idle: `client.throttles.template("stripe:*", rate=100,
        per=60)`. The longest matching prefix wins; setting a pattern again
        replaces its template.

        Args:
            pattern: a prefix followed by one `*`, not starting with `ql:`.
            maximum: how many such jobs may run at once per throttle (0: no limit).
            rate: at most this many starts in any `per` seconds, per throttle
                (give both or neither). A template needs a maximum or a rate.
            per: the window in seconds, above 0 and at most 31,622,400.
        """
        self.client._run(calls.throttle_template_set(pattern, maximum, rate, per))

    def templates(self) -> list[ThrottleTemplate]:
        """Every throttle template, by pattern."""
        return self.client._run(calls.throttle_templates())

    def delete_template(self, pattern: str) -> bool:
        """Delete the template of `pattern`; True when there was one.

        Throttles it defined become unlimited unless another template matches them.
        """
        return self.client._run(calls.throttle_template_delete(pattern))


class WorkersBase:
    """Workers known to the server: what both clients share."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def forget(self, *worker_names: str) -> None:
        """Remove workers from the listings."""
        self.client._run(calls.worker_forget(worker_names))
