"""What the worker hooks learn about a job: the exception its handler raised, and its outcome.

`job.process()` catches what the handler raises (it fails or retries the job
itself) and does not hand it on, so `capture_handler_exception` wraps the one
place the handler is called, on that job object only. The outcome is read from
the server once the job is over (one round trip, made only when an `after_job`
hook is defined).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

from reqless.exceptions import LostLockError
from reqless.workers.hooks import Outcome

__all__ = ["capture_handler_exception", "outcome_of"]


def capture_handler_exception(job: Any) -> list[BaseException]:
    """Have `job` (a Job or an AsyncJob) record what its handler raises; returns the record.

    A `LostLockError` is not recorded: the job was no longer the worker's, its
    handler did not fail.
    """
    raised: list[BaseException] = []
    call: Callable[..., Any] = job._call

    def keep(exc: Exception) -> None:
        if not isinstance(exc, LostLockError):
            raised.append(exc)

    if inspect.iscoroutinefunction(call):

        async def recording_async(handler: Callable[..., Any]) -> None:
            try:
                await call(handler)
            except Exception as exc:
                keep(exc)
                raise

        job._call = recording_async
    else:

        def recording(handler: Callable[..., Any]) -> None:
            try:
                call(handler)
            except Exception as exc:
                keep(exc)
                raise

        job._call = recording
    return raised


def outcome_of(job: Any, found: Iterable[Any]) -> Outcome:
    """The outcome of `job` (as the worker ran it) from `found`, the server's copy of it."""
    now = next(iter(found), None)
    if now is None:
        return Outcome.CANCELLED
    if now.state == "complete":
        return Outcome.COMPLETE
    if now.state == "failed":
        return Outcome.FAILED
    if now.state == "running":
        same_run = now.worker_name == job.client.worker_name and now.queue_name == job.queue_name
        return Outcome.LEFT_RUNNING if same_run else Outcome.LOST
    if now.queue_name != job.queue_name:
        # complete(next_queue) records `done` just before the `put` into the next queue.
        whats = [entry.get("what") for entry in now.history[-2:]]
        return Outcome.COMPLETE if "done" in whats else Outcome.MOVED
    return Outcome.RETRIED
