"""Jobs and recurring templates for the asyncio client: `await job.complete()`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reqless._calls import job as calls
from reqless._calls.encoding import class_string, encode_data, sized
from reqless.aio._job_actions import AsyncJobActions, AsyncRecurringActions
from reqless.exceptions import ReqlessError

if TYPE_CHECKING:
    from reqless.aio.client import AsyncClient
    from reqless.aio.queue import AsyncQueue
    from reqless.job import Job

__all__ = ["AsyncJob", "AsyncRecurringJob"]


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


class AsyncJob(AsyncJobActions, _AsyncBase):
    """A job as the server last reported it; the asyncio twin of `reqless.Job`.

    The same attributes (read from the payload by the same code) and the same
    methods, awaited. A job a worker popped leaves out its history, dependencies
    and dependents: `await job.load_details()` fetches them (jobs looked up by jid
    have them). The priority is changed with `await job.set_priority(value)`.

    `process()` awaits an `async def` handler with this job. A plain function runs
    in a thread (`asyncio.to_thread`) with `sync_job()`; it is not stopped when the
    task is cancelled (a thread cannot be), see docs/asyncio.md. Cancellation
    (`asyncio.CancelledError`) passes through: the worker stops the job.
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

    async def _call(self, handler: Callable[..., Any]) -> None:
        """Await an `async def` handler; run a plain one in a thread with `sync_job()`."""
        if asyncio.iscoroutinefunction(handler):
            result = await handler(self)
        else:
            twin = self.sync_job()
            try:
                result = await asyncio.to_thread(handler, twin)
            finally:
                self.settled = self.settled or twin.settled
                self._data = twin._data
            if asyncio.iscoroutine(result):  # a plain function that returned a coroutine
                result = await result
        if result is not None and not self.settled:  # the job's result (docs/results.md)
            await self._complete_with(result)


class AsyncRecurringJob(AsyncRecurringActions, _AsyncBase):
    """A recurring template; the asyncio twin of `reqless.RecurringJob`.

    The sync client's property setters are methods here: `set_priority`,
    `set_retries`, `set_interval`, `set_data`, `set_klass`; `next` is `next_run()`.
    """

    def __init__(self, client: AsyncClient, **payload: Any) -> None:
        self.client = client
        self._queue = None
        self._read_recurring(payload)

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
        text = sized(encode_data(value), self.client.max_data_bytes)
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
        score = await self.client.database.zscore(
            self.client.keys.queue(self.queue_name, "recur"), self.jid
        )
        return None if score is None else float(score)
