"""Jobs and recurring job templates."""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless import _validate
from reqless.core import CoreError
from reqless.exceptions import LostLockError, ReqlessError
from reqless.importer import Importer
from reqless.logger import logger
from reqless.queue import class_string, encode_data
from reqless.util import as_list

if TYPE_CHECKING:
    from reqless.client import Client
    from reqless.queue import Queue

__all__ = ["BaseJob", "Job", "RecurringJob"]

# Server messages that mean "this worker no longer holds the job".
_LOST_LOCK_MARKERS = (
    "not currently running",
    "another worker",
    "another queue",
    "does not exist",
)


def _lost_lock(exc: ReqlessError) -> bool:
    return any(marker in str(exc) for marker in _LOST_LOCK_MARKERS)


class BaseJob:
    """What jobs and recurring templates share: identity, class, data, queue."""

    def __init__(self, client: Client, **payload: Any) -> None:
        self.client = client
        self.jid: str = payload["jid"]
        self._data: str = payload["data"]
        self.klass_name: str = payload["klass"]
        self._priority: float = payload["priority"]
        self.queue_name: str = payload["queue"]
        self.tags: list[str] = [str(tag) for tag in as_list(payload.get("tags"))]
        self.throttles: list[str] = as_list(payload.get("throttles"))
        self.sandbox: str | None = None
        self._klass: Any = None
        self._queue: Queue | None = None

    @property
    def data(self) -> str:
        """The job's data as JSON text (decode it with `json.loads`)."""
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = encode_data(value)

    @property
    def priority(self) -> float:
        """Higher pops sooner."""
        return self._priority

    @property
    def klass(self) -> Any:
        """The job class, imported on first use (re-imported when its file changed)."""
        if self._klass is None:
            self._klass = Importer.import_class(self.klass_name)
        return self._klass

    @property
    def queue(self) -> Queue:
        """The job's queue; it compares equal to the queue's name."""
        if self._queue is None or self._queue.name != self.queue_name:
            self._queue = self.client.queues[self.queue_name]
        return self._queue


class Job(BaseJob):
    """A job as the server last reported it.

    Attributes mirror the server's record; methods act on the server. A method
    that needs this worker to hold the job (complete, fail, heartbeat, retry)
    raises `LostLockError` when it no longer does: the job was moved, cancelled,
    completed elsewhere or handed to another worker after its lock expired.
    """

    def __init__(self, client: Client, **payload: Any) -> None:
        super().__init__(client, **payload)
        self.state: str = payload["state"]
        self.worker_name: str = payload["worker"]
        self.expires_at: float = float(payload["expires"])
        self.original_retries: int = payload["retries"]
        self.retries_left: int = payload["remaining"]
        # A worker's pop leaves these out (they cost the server three reads per
        # job); they are fetched on first use.
        self._history: list[dict[str, Any]] | None = None
        self._dependencies: list[str] | None = None
        self._dependents: list[str] | None = None
        if "history" in payload:
            self._history = as_list(payload.get("history"))
            self._dependencies = as_list(payload.get("dependencies"))
            self._dependents = as_list(payload.get("dependents"))
        failure = payload.get("failure")
        self.failure: dict[str, Any] = failure if isinstance(failure, dict) else {}
        self.tracked: bool = bool(payload["tracked"])
        #: True once this object completed, failed, retried, moved, cancelled or
        #: timed out the job (or found it was no longer its worker's); the worker
        #: then knows, without asking the server, that the handler settled it.
        self.settled = False
        #: Set by a worker: `complete()` then also pops the worker's next job, from
        #: the queues this returns (none: pop nothing), into `popped_next`.
        self.pop_next_from: Callable[[], list[str]] | None = None
        self.popped_next: list[Job] = []
        spawned = payload.get("spawned_from_jid")
        self.spawned_from_jid: str | None = spawned if isinstance(spawned, str) else None

    def __repr__(self) -> str:
        return f"<{self.klass_name} {self.jid} queue={self.queue_name!r} state={self.state!r}>"

    def _load_details(self) -> None:
        reply = self.client("job.get", self.jid)
        payload: dict[str, Any] = json.loads(reply) if reply else {}
        self._history = as_list(payload.get("history"))
        self._dependencies = as_list(payload.get("dependencies"))
        self._dependents = as_list(payload.get("dependents"))

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
        checked = _validate.number("priority", value)
        try:
            self.client("job.setPriority", self.jid, checked)
        except CoreError as exc:
            # The core's text for this case is about a missing queue name.
            if "does not exist" in str(exc):
                raise ReqlessError(f"job {self.jid} does not exist") from exc
            raise
        self._priority = checked

    @property
    def klass(self) -> Any:
        """The job class, imported on first use (re-imported when its file changed)."""
        return BaseJob.klass.fget(self)  # type: ignore[attr-defined]

    @klass.setter
    def klass(self, value: type) -> None:
        self._klass = value
        self.klass_name = class_string(value)

    @property
    def ttl(self) -> float:
        """Seconds until the lock expires (negative once it has)."""
        return self.expires_at - time.time()

    def _owned(self, command: str, *args: str | int | float) -> Any:
        try:
            reply = self.client(command, *args)
        except ReqlessError as exc:
            if _lost_lock(exc):
                self.settled = True  # no longer ours: nothing left to settle
                raise LostLockError(self.jid, str(exc)) from exc
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
        if next_queue is not None:
            self._owned(
                "job.completeAndRequeue", self.jid, self.client.worker_name, self.queue_name,
                self._data, _validate.name("queue name", next_queue),
                "delay", _validate.number("delay", 0 if delay is None else delay, minimum=0),
                "depends", json.dumps(_validate.names("depends", depends or [])),
            )  # fmt: skip
            return True
        queues = self.pop_next_from() if self.pop_next_from else []
        if queues:
            # Our worker's one round trip per job: complete and pop the next one.
            reply = self._owned(
                "job.completeAndPop", self.jid, self.client.worker_name, self.queue_name,
                self._data, 1, *queues,
            )  # fmt: skip
            payloads = json.loads(reply)["jobs"]
            self.popped_next = [Job(self.client, **payload) for payload in payloads]
            return "complete"
        reply = self._owned(
            "job.complete", self.jid, self.client.worker_name, self.queue_name, self._data
        )
        return str(reply) if reply else False

    def fail(self, group: str, message: str) -> bool:
        """Fail the job into failure group `group` with `message`."""
        reply = self._owned(
            "job.fail", self.jid, self.client.worker_name,
            _validate.name("group", group), _validate.text("message", message), self._data,
        )  # fmt: skip
        return bool(reply)

    def heartbeat(self) -> float:
        """Extend the lock (and save `data`); returns the new deadline."""
        try:
            reply = self.client("job.heartbeat", self.jid, self.client.worker_name, self._data)
        except ReqlessError as exc:
            raise LostLockError(self.jid, str(exc)) from exc
        self.expires_at = float(reply or 0)
        return self.expires_at

    def retry(self, delay: float = 0, group: str | None = None, message: str | None = None) -> int:
        """Put the job back to be run again (after `delay`), using up one retry.

        Returns the retries left; negative means none were left and the job failed.
        Only the worker holding the job may retry it: from any other client (one
        that merely looked the job up) this raises LostLockError, as the running
        copy would otherwise go on while the job is handed out again.
        """
        seconds = _validate.number("delay", delay, minimum=0)
        args: list[str | int | float] = [
            self.jid, self.queue_name, self.client.worker_name, str(seconds),
        ]  # fmt: skip
        if group is not None:
            _validate.name("group", group)
        if message is not None:
            _validate.text("message", message)
        if group is not None and message is not None:  # the core needs both for a note
            args += [group, message]
        return int(self._owned("job.retry", *args))

    def cancel(self) -> list[str]:
        """Delete the job (refused while other jobs depend on it)."""
        result: list[str] = self.client("job.cancel", self.jid)
        self.settled = True
        return result

    def track(self) -> bool:
        """Track the job; True when it was not tracked before."""
        return bool(self.client("job.track", self.jid) == "1")

    def untrack(self) -> bool:
        """Stop tracking the job; True when it was tracked."""
        return bool(self.client("job.untrack", self.jid) == "1")

    def tag(self, *tags: str) -> list[str]:
        """Add tags; returns the job's tags after the change."""
        checked = _validate.names("tags", tags)
        result: list[str] = json.loads(self.client("job.addTag", self.jid, *checked))
        return result

    def untag(self, *tags: str) -> list[str]:
        """Remove tags; returns the job's tags after the change."""
        checked = _validate.names("tags", tags)
        result: list[str] = json.loads(self.client("job.removeTag", self.jid, *checked))
        return result

    def depend(self, *jids: str) -> int | bool:
        """Make a job in state `depends` also wait for `jids`."""
        checked = _validate.names("jids", jids)
        return self.client("job.addDependency", self.jid, *checked) or False

    def undepend(self, *jids: str, all: bool = False) -> int | bool:
        """Stop waiting for `jids` (or for every job, with all=True)."""
        args = ("all",) if all else tuple(_validate.names("jids", jids))
        return self.client("job.removeDependency", self.jid, *args) or False

    def move(self, queue: str, delay: float | None = 0, depends: list[str] | None = None) -> str:
        """Put the job into another queue, keeping its priority, tags and retries.

        A job running under a worker is taken away from it: the server tells that
        worker on its channel (it is not the caller), and the worker stops the job.
        """
        reply = str(
            self.client(
                "queue.put", self.client.worker_name, _validate.name("queue name", queue),
                self.jid, self.klass_name, self._data,
                _validate.number("delay", 0 if delay is None else delay, minimum=0),
                "depends", json.dumps(_validate.names("depends", depends or [])),
                "throttles", json.dumps(self.throttles or []),
            )
        )  # fmt: skip
        self.settled = True
        return reply

    def timeout(self) -> None:
        """Take the job from its worker now, as if its lock had expired."""
        self.client("job.timeout", self.jid)
        self.settled = True

    def log(self, message: str, data: dict[str, Any] | None = None) -> None:
        """Append an entry to the job's history."""
        if data is None:
            self.client("job.log", self.jid, message)
        else:
            self.client("job.log", self.jid, message, json.dumps(data))

    def process(self) -> None:
        """Run the job's handler: the class attribute named after the queue, else `process`.

        Import errors, a missing handler and exceptions from the handler fail the
        job (groups `<queue>-<ExceptionName>` and `<queue>-method-missing`). When the
        lock was lost meanwhile, the failure is logged instead, and nothing raises.
        A connection error or time-out talking to the server is transient: the job is
        dropped (not failed) and handed out again when its lock expires.
        """
        try:
            klass = self.klass
            handler = getattr(klass, self.queue_name, None) or getattr(klass, "process", None)
        except Exception as exc:
            logger.exception("failed to import %s for job %s", self.klass_name, self.jid)
            self._fail_quietly(
                f"{self.queue_name}-{type(exc).__name__}", f"Failed to import {self.klass_name}"
            )
            return
        if handler is None:
            logger.error("%s is missing a handler for job %s", self.klass_name, self.jid)
            self._fail_quietly(
                f"{self.queue_name}-method-missing",
                f'{self.klass_name} is missing a method "{self.queue_name}" or "process"',
            )
            return
        # One INFO record per job, at the end: logging was a fifth of a worker's
        # CPU per job when it wrote two (docs/benchmarks.md).
        logger.debug("starting job %s (%s) in %s", self.jid, self.klass_name, self.queue_name)
        started = time.monotonic()
        try:
            handler(self)
        except LostLockError as exc:
            logger.warning("job %s: %s", self.jid, exc)
            return
        except (RedisConnectionError, RedisTimeoutError) as exc:
            # Transient, and not the job's fault: drop it, as the README advises,
            # and the server hands it out again when its lock expires.
            logger.warning("dropped job %s: the server is unreachable (%s)", self.jid, exc)
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


class RecurringJob(BaseJob):
    """A recurring template: it spawns a job into its queue every `interval` seconds."""

    def __init__(self, client: Client, **payload: Any) -> None:
        super().__init__(client, **payload)
        self._retries: int = payload["retries"]
        self._interval: float = payload["interval"]
        self.count: int = payload["count"]
        self.backlog: float = payload.get("backlog", 0)

    def __repr__(self) -> str:
        return f"<{self.klass_name} {self.jid} queue={self.queue_name!r} every={self._interval}s>"

    def _update(self, key: str, value: str | int | float) -> None:
        self.client("recurringJob.update", self.jid, key, value)

    @property
    def priority(self) -> float:
        """Priority of the jobs it spawns."""
        return self._priority

    @priority.setter
    def priority(self, value: float) -> None:
        checked = _validate.number("priority", value)
        self._update("priority", checked)
        self._priority = checked

    @property
    def retries(self) -> int:
        """Retry budget of the jobs it spawns."""
        return self._retries

    @retries.setter
    def retries(self, value: int) -> None:
        checked = _validate.nonnegative_int("retries", value)
        self._update("retries", checked)
        self._retries = checked

    @property
    def interval(self) -> float:
        """Seconds between spawns."""
        return self._interval

    @interval.setter
    def interval(self, value: float) -> None:
        checked = _validate.positive("interval", value)
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
        return BaseJob.klass.fget(self)  # type: ignore[attr-defined]

    @klass.setter
    def klass(self, value: type | str) -> None:
        name = class_string(value)
        self._update("klass", name)
        self.klass_name = name
        self._klass = None if isinstance(value, str) else value

    @property
    def next(self) -> float | None:
        """When the next job will be spawned (Unix time), or None."""
        score = self.client.database.zscore(f"ql:q:{self.queue_name}-recur", self.jid)
        return None if score is None else float(score)

    def move(self, queue: str) -> int:
        """Attach the template to another queue, keeping its schedule."""
        checked = _validate.name("queue name", queue)
        reply = int(self.client("recurringJob.update", self.jid, "queue", checked))
        self.queue_name = checked
        return reply

    def cancel(self) -> list[str]:
        """Stop spawning (jobs already spawned are untouched)."""
        self.client("recurringJob.cancel", self.jid)
        return [self.jid]

    def tag(self, *tags: str) -> list[str]:
        """Add tags for future spawns; returns the template's tags."""
        checked = _validate.names("tags", tags)
        result = json.loads(self.client("recurringJob.addTag", self.jid, *checked))
        self.tags = as_list(result)
        return self.tags

    def untag(self, *tags: str) -> list[str]:
        """Remove tags for future spawns; returns the template's tags."""
        checked = _validate.names("tags", tags)
        result = json.loads(self.client("recurringJob.removeTag", self.jid, *checked))
        self.tags = as_list(result)
        return self.tags
