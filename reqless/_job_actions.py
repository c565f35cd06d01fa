# GENERATED from reqless/aio/_job_actions.py by scripts/unasync: edit that file, then run it.
"""What a job and a recurring template do on the server: the methods both clients share.

The job classes built on these add what differs by design: how a job's details are
read, how its priority is set and how a handler is called.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless._calls import Call, follow
from reqless._calls import job as calls
from reqless._job_fields import BaseFields, JobFields, RecurringFields, find_handler
from reqless.cron import fire_times_call, interval_fire_times
from reqless.exceptions import (
    ArgumentError,
    CoreError,
    DurabilityError,
    JobResultError,
    LostLockError,
)
from reqless.job_retry import RETRY_EVENT, RetryPolicy
from reqless.logger import logger
from reqless.models import Progress

if TYPE_CHECKING:
    from reqless.client import Client
    from reqless.job import Job

__all__ = ["JobActions", "RecurringActions"]

T = TypeVar("T")


class JobActions(JobFields):
    """A job's calls to the server, and the running of its handler."""

    client: Client
    #: Set by a worker from its per-queue retry policies (`WorkerSettings.retry_policies`):
    #: an exception the handler raises that this policy handles retries the job.
    retry_policy: RetryPolicy | None = None
    #: Set by a worker: `complete()` then also pops the worker's next job, from
    #: the queues this returns (none: pop nothing), into `popped_next`.
    pop_next_from: Callable[[], list[str]] | None
    popped_next: list[Job]

    @property
    def klass(self) -> Any:
        """The job class, imported on first use (re-imported when its file changed)."""
        klass = self._klass  # once imported, without the base property's call
        return klass if klass is not None else BaseFields.klass.fget(self)  # type: ignore[attr-defined]

    @klass.setter
    def klass(self, value: type) -> None:
        self._set_klass(value)

    def _owned(self, call: Call[T]) -> T:
        try:
            reply = self.client._run(call)
        except LostLockError:
            self.settled = True  # no longer ours: nothing left to settle
            raise
        except DurabilityError as exc:
            self.settled = True  # applied on the primary, only not acknowledged in time
            exc.jid = self.jid
            raise
        self.settled = True
        return reply

    def complete(
        self, next_queue: str | None = None, delay: float | None = None,
        depends: list[str] | None = None, *, result: Any = None,
    ) -> str | bool:  # fmt: skip
        """Complete the job, or advance it into `next_queue` (None: just complete).

        `result` (any JSON-serialisable value; None: none) is kept with the
        completed job as `job.result` (docs/results.md): a value that is not
        JSON-serialisable raises ArgumentError, one over the server's
        `max-result-size` (512 KiB unless set) is refused by the server
        (CoreError); either way nothing changes. Returns "complete", or True
        when advanced. Raises LostLockError when this worker no longer holds
        the job (the request is then ignored by the server).
        """
        worker = self.client.worker_name
        if next_queue is not None:
            if result is not None:
                raise ArgumentError("result is kept by a plain complete(), not with next_queue")
            return self._owned(calls.complete_and_requeue(
                self.jid, worker, self.queue_name, self._data, next_queue, delay, depends
            ))  # fmt: skip
        queues = self.pop_next_from() if self.pop_next_from else []
        if queues:
            # Our worker's one round trip per job: complete and pop the next one.
            # This job's own class (the client's job class): no import here, which
            # would cost a lookup per job and tie this module to that one.
            job_class: type[Job] = type(self)  # type: ignore[assignment]
            try:
                payloads = self._owned(calls.complete_and_pop(
                    self.jid, worker, self.queue_name, self._data, queues, result
                ))  # fmt: skip
            except DurabilityError as exc:
                # The jobs it popped are this worker's all the same: keep them.
                self.popped_next = [job_class(self.client, **payload) for payload in exc.reply]
                raise
            self.popped_next = [job_class(self.client, **payload) for payload in payloads]
            return "complete"
        return self._owned(calls.complete(self.jid, worker, self.queue_name, self._data, result))

    def _complete_with(self, value: Any) -> None:
        """Complete the job with what its handler returned (not None) as its result."""
        try:
            self.complete(result=value)
        except (ArgumentError, CoreError) as exc:
            raise JobResultError(
                f"{self.klass_name} returned a value that cannot be the job's result: {exc}"
            ) from exc

    def fail(self, group: str, message: str) -> bool:
        """Fail the job into failure group `group` with `message`."""
        worker = self.client.worker_name
        return self._owned(calls.fail(self.jid, worker, group, message, self._data))

    def heartbeat(self) -> float:
        """Extend the lock (and save `data`); returns the new deadline."""
        call = calls.heartbeat(self.jid, self.client.worker_name, self._data)
        self.expires_at = self.client._run(call)
        return self.expires_at

    def progress(self, fraction: float, message: str = "") -> float:
        """Report how far the running job is: `fraction` from 0 to 1 and a `message`
        (at most 1024 bytes), kept as `progress_info` and published (docs/progress.md).

        It is a heartbeat too: returns the new lock deadline (`expires_at`). Only
        the worker holding the job may report: any other client gets
        LostLockError; a bad fraction or message raises ArgumentError and sends
        nothing.
        """
        call = follow.job_progress(self.jid, self.client.worker_name, fraction, message)
        self.expires_at = self.client._run(call)
        self.progress_info = Progress(float(fraction), message, time.time())
        return self.expires_at

    def retry(self, delay: float = 0, group: str | None = None, message: str | None = None) -> int:
        """Put the job back to be run again (after `delay`), using up one retry.

        Returns the retries left; negative means none were left and the job failed.
        Only the worker holding the job may retry it: from any other client (one
        that merely looked the job up) this raises LostLockError, as the running
        copy would otherwise go on while the job is handed out again.
        """
        worker = self.client.worker_name
        call = calls.retry(self.jid, self.queue_name, worker, delay, group, message)
        return self._owned(call)

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
        """Put the job into another queue, keeping its priority, tags, retries and
        fair group.

        A job running under a worker is taken away from it: the server tells that
        worker on its channel (it is not the caller), and the worker stops the job.
        """
        reply = self.client._run(calls.move(
            self.jid, self.client.worker_name, queue, self.klass_name, self._data, delay,
            depends, self.throttles, self.group,
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
        dropped (not failed) and handed out again when its lock expires. An
        exception `retry_policy` (set by a worker) handles retries the job instead.
        """
        handler, error = find_handler(self)
        if handler is None:
            if error is not None:
                logger.error("failed to import %s for job %s", self.klass_name, self.jid,
                             exc_info=error)  # fmt: skip
            else:
                logger.error("%s is missing a handler for job %s", self.klass_name, self.jid)
            problem = calls.handler_problem(self.klass_name, self.queue_name, error)
            self._fail_quietly(*problem)
            return
        # One INFO record per job, at the end: logging was a fifth of a worker's
        # CPU per job when it wrote two (docs/benchmarks.md).
        logger.debug("starting job %s (%s) in %s", self.jid, self.klass_name, self.queue_name)
        started = time.monotonic()
        try:
            self._call(handler)
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
            if isinstance(exc, DurabilityError) and self.settled:
                # The handler's complete() (or fail, retry) was applied on the primary;
                # only its acknowledgement fell short: nothing to undo or fail.
                logger.error("job %s: %s", self.jid, exc)
                return
            # The queue's retry policy (docs/worker.md), set by the worker: retry, not fail.
            if self.retry_policy is not None and self.retry_policy.handles(exc):
                self._retry_quietly(self.retry_policy, exc)
                return
            logger.exception("job %s (%s) raised", self.jid, self.klass_name)
            group = f"{self.queue_name}-{type(exc).__name__}"
            self._fail_quietly(group, traceback.format_exc())
            return
        else:
            # In `else`, not after the statement: its code then comes before the
            # handlers', and logging, which looks up the caller's line number for
            # every record by scanning the code's line table, reads less of it.
            logger.info(
                "finished job %s (%s) in %s in %.1f ms",
                self.jid, self.klass_name, self.queue_name, (time.monotonic() - started) * 1000,
            )  # fmt: skip

    def _call(self, handler: Callable[..., Any]) -> None:
        """Run `handler` with this job: each client's job class says how."""
        raise NotImplementedError

    def _retry_for(self, policy: RetryPolicy, exc: BaseException) -> int:
        """Retry the job as `policy` says after `exc`; the reason goes to its history first.

        The core writes no history for a retry that leaves retries (docs/concepts.md, States), hence
        the `retrying` entry; the last retry fails the job, and the
        core's `failed-retries` entry names the group. Returns the retries left.
        """
        plan = policy.plan(self, exc)
        if plan.details is not None:
            self.log(RETRY_EVENT, plan.details)
            logger.warning(
                "job %s (%s) raised %s; retry %d in %.3g s",
                self.jid, self.klass_name, plan.message, plan.retry, plan.delay,
            )  # fmt: skip
        else:
            logger.error(
                "job %s (%s) raised %s; no retries left, failing it",
                self.jid, self.klass_name, plan.message,
            )  # fmt: skip
        return self.retry(plan.delay, plan.group, plan.message)

    def _retry_quietly(self, policy: RetryPolicy, exc: BaseException) -> None:
        try:
            self._retry_for(policy, exc)
        except LostLockError as lost:
            logger.warning("could not retry job %s: %s", self.jid, lost)
        except DurabilityError as short:
            logger.error("job %s: %s", self.jid, short)  # retried on the primary
        except RedisError as error:
            # As for a failure: lock expiry hands the job out again.
            logger.error("could not retry job %s, the server is unreachable: %s", self.jid, error)

    def _fail_quietly(self, group: str, message: str) -> None:
        try:
            self.fail(group, message)
        except LostLockError as exc:
            logger.warning("could not fail job %s: %s", self.jid, exc)
        except DurabilityError as exc:
            logger.error("job %s: %s", self.jid, exc)  # failed on the primary
        except RedisError as exc:
            # The server is unreachable: the job stays ours until its lock expires,
            # then it is handed out again. Nothing is lost; the worker goes on.
            logger.error("could not fail job %s, the server is unreachable: %s", self.jid, exc)


class RecurringActions(RecurringFields):
    """A recurring template's calls to the server, but for its setters."""

    client: Client

    def _update(self, key: str, value: str | int | float) -> None:
        self.client._run(calls.recurring_update(self.jid, key, value))

    def move(self, queue: str) -> int:
        """Attach the template to another queue, keeping its schedule."""
        checked = calls.checked_queue(queue)
        reply = self.client._run(calls.recurring_update(self.jid, "queue", checked))
        self.queue_name = checked
        return reply

    def cancel(self) -> list[str]:
        """Stop spawning (jobs already spawned are untouched)."""
        return self.client._run(calls.recurring_cancel(self.jid))

    def pause(self) -> None:
        """Spawn nothing until `resume()`; the template stays listed in its queue."""
        self.client._run(calls.recurring_pause(self.jid))
        self.paused = True

    def resume(self) -> None:
        """Spawn again from now on: at most one run for the time it was paused."""
        self.client._run(calls.recurring_resume(self.jid))
        self.paused = False

    def next_fire_times(self, count: int = 5) -> list[datetime]:
        """The next `count` times it spawns a job, as aware datetimes (UTC for intervals).

        For a cron template, in its timezone, computed by the server from its next
        slot; for an interval one, its next spawn and every interval after it.
        Empty while paused.
        """
        if self.paused:
            return []
        if self.cron is not None:
            after = None if self.slot is None else self.slot - 1
            return self.client._run(fire_times_call(
                self.cron, timezone=self.timezone, after=after, count=count
            ))  # fmt: skip
        score = self.client.database.zscore(
            self.client.keys.queue(self.queue_name, "recur"), self.jid
        )
        if score is None:
            return []
        return interval_fire_times(float(score), self._interval, count)

    def tag(self, *tags: str) -> list[str]:
        """Add tags for future spawns; returns the template's tags."""
        self.tags = self.client._run(calls.recurring_tag(self.jid, tags))
        return self.tags

    def untag(self, *tags: str) -> list[str]:
        """Remove tags for future spawns; returns the template's tags."""
        self.tags = self.client._run(calls.recurring_tag(self.jid, tags, remove=True))
        return self.tags
