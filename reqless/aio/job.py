"""Jobs and recurring templates for the asyncio client: `await job.complete()`."""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless._calls import Call
from reqless._calls import job as calls
from reqless._calls.encoding import class_string, encode_data
from reqless._job_fields import BaseFields, JobFields, RecurringFields, find_handler
from reqless.exceptions import LostLockError, ReqlessError
from reqless.logger import logger

if TYPE_CHECKING:
    from reqless.aio.client import AsyncClient
    from reqless.aio.queue import AsyncQueue
    from reqless.job import Job

__all__ = ["AsyncJob", "AsyncRecurringJob"]

T = TypeVar("T")


class _AsyncBase:
    """The client and queue of an asyncio job or template."""

    client: AsyncClient
    queue_name: str
    _queue: AsyncQueue | None

    @property
    def queue(self) -> AsyncQueue:
        """The job's queue; it compares equal to the queue's name."""
        if self._queue is None or self._queue.name != self.queue_name:
            self._queue = self.client.queues[self.queue_name]
        return self._queue


class AsyncJob(JobFields, _AsyncBase):
    """A job as the server last reported it; the asyncio twin of `reqless.Job`.

    The same attributes (read from the payload by the same code) and the same
    methods, awaited. A job a worker popped leaves out its history, dependencies
    and dependents: `await job.load_details()` fetches them (jobs looked up by jid
    have them). The priority is changed with `await job.set_priority(value)`.
    """

    def __init__(self, client: AsyncClient, **payload: Any) -> None:
        self.client = client
        self._queue = None
        self._read_job(payload)
        #: Set by a worker: `complete()` then also pops the worker's next job, from
        #: the queues this returns (none: pop nothing), into `popped_next`.
        self.pop_next_from: Callable[[], list[str]] | None = None
        self.popped_next: list[AsyncJob] = []

    async def load_details(self) -> None:
        """Fetch the history, dependencies and dependents (a popped job lacks them)."""
        self._read_details(await self.client._run(calls.details(self.jid)))

    def _details(self, value: list[Any] | None) -> list[Any]:
        if value is None:
            raise ReqlessError(
                f"job {self.jid} was popped without its details: await job.load_details() first"
            )
        return value

    @property
    def history(self) -> list[dict[str, Any]]:
        """The job's history (see the class about popped jobs)."""
        return self._details(self._history)

    @property
    def dependencies(self) -> list[str]:
        """Jids this job waits for (see the class about popped jobs)."""
        return self._details(self._dependencies)

    @property
    def dependents(self) -> list[str]:
        """Jids waiting for this job (see the class about popped jobs)."""
        return self._details(self._dependents)

    async def set_priority(self, value: float) -> None:
        """Re-score the job (`job.priority = value` of the sync client)."""
        call, checked = calls.set_priority(self.jid, value)
        await self.client._run(call)
        self._priority = checked

    @property
    def klass(self) -> Any:
        """The job class, imported on first use (re-imported when its file changed)."""
        return BaseFields.klass.fget(self)  # type: ignore[attr-defined]

    @klass.setter
    def klass(self, value: type) -> None:
        self._set_klass(value)

    async def _owned(self, call: Call[T]) -> T:
        try:
            reply = await self.client._run(call)
        except LostLockError:
            self.settled = True  # no longer ours: nothing left to settle
            raise
        self.settled = True
        return reply

    async def complete(
        self, next_queue: str | None = None, delay: float | None = None,
        depends: list[str] | None = None,
    ) -> str | bool:  # fmt: skip
        """Complete the job, or advance it into `next_queue` (see `reqless.Job.complete`)."""
        worker = self.client.worker_name
        if next_queue is not None:
            return await self._owned(calls.complete_and_requeue(
                self.jid, worker, self.queue_name, self._data, next_queue, delay, depends
            ))  # fmt: skip
        queues = self.pop_next_from() if self.pop_next_from else []
        if queues:
            payloads = await self._owned(
                calls.complete_and_pop(self.jid, worker, self.queue_name, self._data, queues)
            )
            self.popped_next = [AsyncJob(self.client, **payload) for payload in payloads]
            return "complete"
        return await self._owned(calls.complete(self.jid, worker, self.queue_name, self._data))

    async def fail(self, group: str, message: str) -> bool:
        """Fail the job into failure group `group` with `message`."""
        worker = self.client.worker_name
        return await self._owned(calls.fail(self.jid, worker, group, message, self._data))

    async def heartbeat(self) -> float:
        """Extend the lock (and save `data`); returns the new deadline."""
        call = calls.heartbeat(self.jid, self.client.worker_name, self._data)
        self.expires_at = await self.client._run(call)
        return self.expires_at

    async def retry(
        self, delay: float = 0, group: str | None = None, message: str | None = None
    ) -> int:
        """Put the job back to be run again (after `delay`), using up one retry."""
        worker = self.client.worker_name
        call = calls.retry(self.jid, self.queue_name, worker, delay, group, message)
        return await self._owned(call)

    async def cancel(self) -> list[str]:
        """Delete the job (refused while other jobs depend on it)."""
        result = await self.client._run(calls.cancel(self.jid))
        self.settled = True
        return result

    async def track(self) -> bool:
        """Track the job; True when it was not tracked before."""
        return await self.client._run(calls.track(self.jid))

    async def untrack(self) -> bool:
        """Stop tracking the job; True when it was tracked."""
        return await self.client._run(calls.untrack(self.jid))

    async def tag(self, *tags: str) -> list[str]:
        """Add tags; returns the job's tags after the change."""
        return await self.client._run(calls.tag(self.jid, tags))

    async def untag(self, *tags: str) -> list[str]:
        """Remove tags; returns the job's tags after the change."""
        return await self.client._run(calls.tag(self.jid, tags, remove=True))

    async def depend(self, *jids: str) -> int | bool:
        """Make a job in state `depends` also wait for `jids`."""
        return await self.client._run(calls.add_dependency(self.jid, jids))

    async def undepend(self, *jids: str, all: bool = False) -> int | bool:
        """Stop waiting for `jids` (or for every job, with all=True)."""
        return await self.client._run(calls.remove_dependency(self.jid, jids, all))

    async def move(
        self, queue: str, delay: float | None = 0, depends: list[str] | None = None
    ) -> str:
        """Put the job into another queue, keeping its priority, tags and retries."""
        reply = await self.client._run(calls.move(
            self.jid, self.client.worker_name, queue, self.klass_name, self._data, delay,
            depends, self.throttles,
        ))  # fmt: skip
        self.settled = True
        return reply

    async def timeout(self) -> None:
        """Take the job from its worker now, as if its lock had expired."""
        await self.client._run(calls.timeout(self.jid))
        self.settled = True

    async def log(self, message: str, data: dict[str, Any] | None = None) -> None:
        """Append an entry to the job's history."""
        await self.client._run(calls.log(self.jid, message, data))

    def sync_job(self) -> Job:
        """This job as a `reqless.Job` bound to the client's `sync_client`.

        What a plain (non-`async`) handler receives: it runs in a thread and
        cannot await. Its data is this job's data.
        """
        from reqless.job import Job

        twin = Job.__new__(Job)
        twin.__dict__.update(self.__dict__)
        twin.client = self.client.sync_client
        twin._queue = None
        twin.pop_next_from = None
        twin.popped_next = []
        return twin

    async def process(self) -> None:
        """Run the job's handler: the class attribute named after the queue, else `process`.

        An `async def` handler is awaited with this job. A plain function runs in
        a thread (`asyncio.to_thread`) with `sync_job()`; it is not stopped when
        the task is cancelled (a thread cannot be), see docs/asyncio.md.
        Failures are handled as by `reqless.Job.process`. Cancellation
        (`asyncio.CancelledError`) passes through: the worker stops the job.
        """
        handler, error = find_handler(self)
        if handler is None:
            if error is not None:
                logger.error("failed to import %s for job %s", self.klass_name, self.jid,
                             exc_info=error)  # fmt: skip
            else:
                logger.error("%s is missing a handler for job %s", self.klass_name, self.jid)
            await self._fail_quietly(
                *calls.handler_problem(self.klass_name, self.queue_name, error)
            )
            return
        logger.debug("starting job %s (%s) in %s", self.jid, self.klass_name, self.queue_name)
        started = time.monotonic()
        try:
            await self._call(handler)
        except LostLockError as exc:
            logger.warning("job %s: %s", self.jid, exc)
            return
        except (RedisConnectionError, RedisTimeoutError) as exc:
            logger.warning("dropped job %s: the server is unreachable (%s)", self.jid, exc)
            # Dropped, not left behind: lock expiry hands it out again, so the worker
            # has nothing to warn about.
            self.settled = True
            return
        except Exception as exc:
            logger.exception("job %s (%s) raised", self.jid, self.klass_name)
            await self._fail_quietly(
                f"{self.queue_name}-{type(exc).__name__}", traceback.format_exc()
            )
            return
        logger.info(
            "finished job %s (%s) in %s in %.1f ms",
            self.jid, self.klass_name, self.queue_name, (time.monotonic() - started) * 1000,
        )  # fmt: skip

    async def _call(self, handler: Callable[..., Any]) -> None:
        if asyncio.iscoroutinefunction(handler):
            await handler(self)
            return
        twin = self.sync_job()
        try:
            result = await asyncio.to_thread(handler, twin)
        finally:
            self.settled = self.settled or twin.settled
            self._data = twin._data
        if asyncio.iscoroutine(result):  # a plain function that returned a coroutine
            await result

    async def _fail_quietly(self, group: str, message: str) -> None:
        try:
            await self.fail(group, message)
        except LostLockError as exc:
            logger.warning("could not fail job %s: %s", self.jid, exc)
        except RedisError as exc:
            logger.error("could not fail job %s, the server is unreachable: %s", self.jid, exc)


class AsyncRecurringJob(RecurringFields, _AsyncBase):
    """A recurring template; the asyncio twin of `reqless.RecurringJob`.

    The sync client's property setters are methods here: `set_priority`,
    `set_retries`, `set_interval`, `set_data`, `set_klass`; `next` is `next_run()`.
    """

    def __init__(self, client: AsyncClient, **payload: Any) -> None:
        self.client = client
        self._queue = None
        self._read_recurring(payload)

    async def _update(self, key: str, value: str | int | float) -> None:
        await self.client._run(calls.recurring_update(self.jid, key, value))

    async def set_priority(self, value: float) -> None:
        """Priority of the jobs it spawns."""
        checked = calls.checked_priority(value)
        await self._update("priority", checked)
        self._priority = checked

    async def set_retries(self, value: int) -> None:
        """Retry budget of the jobs it spawns."""
        checked = calls.checked_retries(value)
        await self._update("retries", checked)
        self._retries = checked

    async def set_interval(self, value: float) -> None:
        """Seconds between spawns."""
        checked = calls.checked_interval(value)
        await self._update("interval", checked)
        self._interval = checked

    async def set_data(self, value: Any) -> None:
        """Data of the jobs it spawns (JSON text or a JSON-serialisable value)."""
        text = encode_data(value)
        await self._update("data", text)
        self._data = text

    async def set_klass(self, value: type | str) -> None:
        """The class of the jobs it spawns."""
        name = class_string(value)
        await self._update("klass", name)
        self.klass_name = name
        self._klass = None if isinstance(value, str) else value

    async def next_run(self) -> float | None:
        """When the next job will be spawned (Unix time), or None."""
        score = await self.client.database.zscore(calls.recurring_key(self.queue_name), self.jid)
        return None if score is None else float(score)

    async def move(self, queue: str) -> int:
        """Attach the template to another queue, keeping its schedule."""
        checked = calls.checked_queue(queue)
        reply = await self.client._run(calls.recurring_update(self.jid, "queue", checked))
        self.queue_name = checked
        return reply

    async def cancel(self) -> list[str]:
        """Stop spawning (jobs already spawned are untouched)."""
        return await self.client._run(calls.recurring_cancel(self.jid))

    async def tag(self, *tags: str) -> list[str]:
        """Add tags for future spawns; returns the template's tags."""
        self.tags = await self.client._run(calls.recurring_tag(self.jid, tags))
        return self.tags

    async def untag(self, *tags: str) -> list[str]:
        """Remove tags for future spawns; returns the template's tags."""
        self.tags = await self.client._run(calls.recurring_tag(self.jid, tags, remove=True))
        return self.tags
