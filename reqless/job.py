"""Jobs and recurring job templates."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reqless._calls import job as calls
from reqless._calls.encoding import class_string, encode_data, sized
from reqless._job_actions import JobActions, RecurringActions
from reqless._job_fields import BaseFields

if TYPE_CHECKING:
    from reqless.client import Client
    from reqless.queue import Queue

__all__ = ["BaseJob", "Job", "RecurringJob"]


class BaseJob(BaseFields):
    """What jobs and recurring templates share: identity, class, data, queue."""

    def __init__(self, client: Client, **payload: Any) -> None:
        self.client = client
        self._read_base(payload)
        self._queue: Queue | None = None

    @property
    def queue(self) -> Queue:
        """The job's queue; it compares equal to the queue's name."""
        if self._queue is None or self._queue.name != self.queue_name:
            self._queue = self.client.queues[self.queue_name]
        return self._queue


class Job(JobActions, BaseJob):
    """A job as the server last reported it.

    Attributes mirror the server's record; methods act on the server. A method
    that needs this worker to hold the job (complete, fail, heartbeat, retry)
    raises `LostLockError` when it no longer does: the job was moved, cancelled,
    completed elsewhere or handed to another worker after its lock expired.
    """

    def __init__(self, client: Client, **payload: Any) -> None:
        self.client = client
        self._queue = None
        self._read_job(payload)
        #: Set by a worker: `complete()` then also pops the worker's next job, from
        #: the queues this returns (none: pop nothing), into `popped_next`.
        self.pop_next_from: Callable[[], list[str]] | None = None
        self.popped_next: list[Job] = []

    def _load_details(self) -> None:
        self._read_details(self.client._run(calls.details(self.jid)))

    @property
    def history(self) -> list[dict[str, Any]]:
        """The job's history: a list of event dicts as the server provides them."""
        if self._history is None:
            self._load_details()
        return self._history or []

    @history.setter
    def history(self, value: list[dict[str, Any]]) -> None:
        self._history = value

    @property
    def dependencies(self) -> list[str]:
        """Jids this job waits for."""
        if self._dependencies is None:
            self._load_details()
        return self._dependencies or []

    @dependencies.setter
    def dependencies(self, value: list[str]) -> None:
        self._dependencies = value

    @property
    def dependents(self) -> list[str]:
        """Jids waiting for this job."""
        if self._dependents is None:
            self._load_details()
        return self._dependents or []

    @dependents.setter
    def dependents(self, value: list[str]) -> None:
        self._dependents = value

    @property
    def priority(self) -> float:
        """Higher pops sooner; setting it re-scores a waiting job at once."""
        return self._priority

    @priority.setter
    def priority(self, value: float) -> None:
        call, checked = calls.set_priority(self.jid, value)
        self.client._run(call)
        self._priority = checked

    def _call(self, handler: Callable[..., Any]) -> None:
        """Call `handler` with this job; an `async def` one is refused (nothing to await it)."""
        result = handler(self)
        if result is not None:  # most handlers return nothing: no check, once per job
            _refuse_awaitable(result, self.klass_name)
            if not self.settled:  # what it returned is the result (docs/results.md)
                self._complete_with(result)


def _refuse_awaitable(result: object, klass_name: str) -> None:
    # An `async def` handler called here only made a coroutine: nothing ran.
    if inspect.isawaitable(result):
        close = getattr(result, "close", None)
        if close is not None:
            close()  # no "never awaited" warning: the failure says it all
        raise TypeError(
            f"{klass_name} has an async handler, which this worker cannot await: "
            "run it with reqless-py-worker --asyncio"
        )


class RecurringJob(RecurringActions, BaseJob):
    """A recurring template: it spawns a job into its queue every `interval` seconds."""

    def __init__(self, client: Client, **payload: Any) -> None:
        self.client = client
        self._queue = None
        self._read_recurring(payload)

    @property
    def priority(self) -> float:
        """Priority of the jobs it spawns."""
        return self._priority

    @priority.setter
    def priority(self, value: float) -> None:
        checked = calls.checked_priority(value)
        self._update("priority", checked)
        self._priority = checked

    @property
    def retries(self) -> int:
        """Retry budget of the jobs it spawns."""
        return self._retries

    @retries.setter
    def retries(self, value: int) -> None:
        checked = calls.checked_retries(value)
        self._update("retries", checked)
        self._retries = checked

    @property
    def interval(self) -> float:
        """Seconds between spawns."""
        return self._interval

    @interval.setter
    def interval(self, value: float) -> None:
        checked = calls.checked_interval(value)
        self._update("interval", checked)
        self._interval = checked

    @property
    def data(self) -> str:
        """Data (JSON text) of the jobs it spawns."""
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        text = sized(encode_data(value), self.client.max_data_bytes)
        self._update("data", text)
        self._data = text

    @property
    def klass(self) -> Any:
        """The class of the jobs it spawns."""
        return BaseFields.klass.fget(self)  # type: ignore[attr-defined]

    @klass.setter
    def klass(self, value: type | str) -> None:
        name = class_string(value)
        self._update("klass", name)
        self.klass_name = name
        self._klass = None if isinstance(value, str) else value

    @property
    def next(self) -> float | None:
        """When the next job will be spawned (Unix time), or None."""
        score = self.client.database.zscore(
            self.client.keys.queue(self.queue_name, "recur"), self.jid
        )
        return None if score is None else float(score)
