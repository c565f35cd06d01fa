"""Jobs and recurring job templates."""

from __future__ import annotations

import inspect
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
from reqless.exceptions import LostLockError
from reqless.logger import logger

if TYPE_CHECKING:
    from reqless.client import Client
    from reqless.queue import Queue

__all__ = ["BaseJob", "Job", "RecurringJob"]

T = TypeVar("T")


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


class Job(JobFields, BaseJob):
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

    @property
    def klass(self) -> Any:
        """The job class, imported on first use (re-imported when its file changed)."""
        return BaseFields.klass.fget(self)  # type: ignore[attr-defined]

    @klass.setter
    def klass(self, value: type) -> None:
        self._set_klass(value)

    def _owned(self, call: Call[T]) -> T:
        try:
            reply = self.client._run(call)
        except LostLockError:
            self.settled = True  # no longer ours: nothing left to settle
            raise
        self.settled = True
        return reply

    def complete(
        self, next_queue: str | None = None, delay: float | None = None,
        depends: list[str] | None = None,
    ) -> str | bool:  # fmt: skip
        """Complete the job, or advance it into `next_queue` (None: just complete).

        Returns "complete", or True when advanced. Raises LostLockError when this
        worker no longer holds the job (the request is then ignored by the server).
        """
        worker = self.client.worker_name
        if next_queue is not None:
            return self._owned(calls.complete_and_requeue(
                self.jid, worker, self.queue_name, self._data, next_queue, delay, depends
            ))  # fmt: skip
        queues = self.pop_next_from() if self.pop_next_from else []
        if queues:
            # Our worker's one round trip per job: complete and pop the next one.
            payloads = self._owned(
                calls.complete_and_pop(self.jid, worker, self.queue_name, self._data, queues)
            )
            self.popped_next = [Job(self.client, **payload) for payload in payloads]
            return "complete"
        return self._owned(calls.complete(self.jid, worker, self.queue_name, self._data))

    def fail(self, group: str, message: str) -> bool:
        """Fail the job into failure group `group` with `message`."""
        worker = self.client.worker_name
        return self._owned(calls.fail(self.jid, worker, group, message, self._data))

    def heartbeat(self) -> float:
        """Extend the lock (and save `data`); returns the new deadline."""
        call = calls.heartbeat(self.jid, self.client.worker_name, self._data)
        self.expires_at = self.client._run(call)
        return self.expires_at

    def retry(self, delay: float = 0, group: str | None = None, message: str | None = None) -> int:
        """Put the job back to be run again (after `delay`), using up one retry.

        Returns the retries left; negative means none were left and the job failed.
        Only the worker holding the job may retry it: from any other client (one
        that merely looked the job up) this raises LostLockError, as the running
        copy would otherwise go on while the job is handed out again.
        """
        worker = self.client.worker_name
        return self._owned(calls.retry(self.jid, self.queue_name, worker, delay, group, message))

    def cancel(self) -> list[str]:
        """Delete the job (refused while other jobs depend on it)."""
        result = self.client._run(calls.cancel(self.jid))
        self.settled = True
        return result

    def track(self) -> bool:
        """Track the job; True when it was not tracked before."""
        return self.client._run(calls.track(self.jid))

    def untrack(self) -> bool:
        """Stop tracking the job; True when it was tracked."""
        return self.client._run(calls.untrack(self.jid))

    def tag(self, *tags: str) -> list[str]:
        """Add tags; returns the job's tags after the change."""
        return self.client._run(calls.tag(self.jid, tags))

    def untag(self, *tags: str) -> list[str]:
        """Remove tags; returns the job's tags after the change."""
        return self.client._run(calls.tag(self.jid, tags, remove=True))

    def depend(self, *jids: str) -> int | bool:
        """Make a job in state `depends` also wait for `jids`."""
        return self.client._run(calls.add_dependency(self.jid, jids))

    def undepend(self, *jids: str, all: bool = False) -> int | bool:
        """Stop waiting for `jids` (or for every job, with all=True)."""
        return self.client._run(calls.remove_dependency(self.jid, jids, all))

    def move(self, queue: str, delay: float | None = 0, depends: list[str] | None = None) -> str:
        """Put the job into another queue, keeping its priority, tags and retries.

        A job running under a worker is taken away from it: the server tells that
        worker on its channel (it is not the caller), and the worker stops the job.
        """
        reply = self.client._run(calls.move(
            self.jid, self.client.worker_name, queue, self.klass_name, self._data, delay,
            depends, self.throttles,
        ))  # fmt: skip
        self.settled = True
        return reply

    def timeout(self) -> None:
        """Take the job from its worker now, as if its lock had expired."""
        self.client._run(calls.timeout(self.jid))
        self.settled = True

    def log(self, message: str, data: dict[str, Any] | None = None) -> None:
        """Append an entry to the job's history."""
        self.client._run(calls.log(self.jid, message, data))

    def process(self) -> None:
        """Run the job's handler: the class attribute named after the queue, else `process`.

        Import errors, a missing handler and exceptions from the handler fail the
        job (groups `<queue>-<ExceptionName>` and `<queue>-method-missing`). When the
        lock was lost meanwhile, the failure is logged instead, and nothing raises.
        A connection error or time-out talking to the server is transient: the job is
        dropped (not failed) and handed out again when its lock expires.
        """
        handler, error = find_handler(self)
        if handler is None:
            if error is not None:
                logger.error("failed to import %s for job %s", self.klass_name, self.jid,
                             exc_info=error)  # fmt: skip
            else:
                logger.error("%s is missing a handler for job %s", self.klass_name, self.jid)
            self._fail_quietly(*calls.handler_problem(self.klass_name, self.queue_name, error))
            return
        # One INFO record per job, at the end: logging was a fifth of a worker's
        # CPU per job when it wrote two (docs/benchmarks.md).
        logger.debug("starting job %s (%s) in %s", self.jid, self.klass_name, self.queue_name)
        started = time.monotonic()
        try:
            _refuse_awaitable(handler(self), self.klass_name)
        except LostLockError as exc:
            logger.warning("job %s: %s", self.jid, exc)
            return
        except (RedisConnectionError, RedisTimeoutError) as exc:
            # Transient, and not the job's fault: drop it, as the README advises,
            # and the server hands it out again when its lock expires.
            logger.warning("dropped job %s: the server is unreachable (%s)", self.jid, exc)
            # Dropped, not left behind: lock expiry hands it out again, so the worker
            # has nothing to warn about.
            self.settled = True
            return
        except Exception as exc:
            logger.exception("job %s (%s) raised", self.jid, self.klass_name)
            self._fail_quietly(f"{self.queue_name}-{type(exc).__name__}", traceback.format_exc())
            return
        logger.info(
            "finished job %s (%s) in %s in %.1f ms",
            self.jid, self.klass_name, self.queue_name, (time.monotonic() - started) * 1000,
        )  # fmt: skip

    def _fail_quietly(self, group: str, message: str) -> None:
        try:
            self.fail(group, message)
        except LostLockError as exc:
            logger.warning("could not fail job %s: %s", self.jid, exc)
        except RedisError as exc:
            # The server is unreachable: the job stays ours until its lock expires,
            # then it is handed out again. Nothing is lost; the worker goes on.
            logger.error("could not fail job %s, the server is unreachable: %s", self.jid, exc)


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


class RecurringJob(RecurringFields, BaseJob):
    """A recurring template: it spawns a job into its queue every `interval` seconds."""

    def __init__(self, client: Client, **payload: Any) -> None:
        self.client = client
        self._queue = None
        self._read_recurring(payload)

    def _update(self, key: str, value: str | int | float) -> None:
        self.client._run(calls.recurring_update(self.jid, key, value))

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
        text = encode_data(value)
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
        score = self.client.database.zscore(calls.recurring_key(self.queue_name), self.jid)
        return None if score is None else float(score)

    def move(self, queue: str) -> int:
        """Attach the template to another queue, keeping its schedule."""
        checked = calls.checked_queue(queue)
        reply = self.client._run(calls.recurring_update(self.jid, "queue", checked))
        self.queue_name = checked
        return reply

    def cancel(self) -> list[str]:
        """Stop spawning (jobs already spawned are untouched)."""
        return self.client._run(calls.recurring_cancel(self.jid))

    def tag(self, *tags: str) -> list[str]:
        """Add tags for future spawns; returns the template's tags."""
        self.tags = self.client._run(calls.recurring_tag(self.jid, tags))
        return self.tags

    def untag(self, *tags: str) -> list[str]:
        """Remove tags for future spawns; returns the template's tags."""
        self.tags = self.client._run(calls.recurring_tag(self.jid, tags, remove=True))
        return self.tags
