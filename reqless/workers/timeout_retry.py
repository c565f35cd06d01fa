"""Whether a job stopped for its time limit is retried instead of failed.

A timed-out job is failed in group `<queue>-TimeoutError`, unless a retry policy
(`reqless.job_retry.RetryPolicy`) handles a `TimeoutError`: first the one that
`@reqless.retry(..., delay=...)` put on the job's handler, else its worker's
policy for the job's queue (`--retry-policy`). Then it is retried as if its
handler had raised that TimeoutError: a `retrying` entry in its history, the
policy's delay, and once no retry is left the core fails it (`failed-retries`,
group `<queue>-TimeoutError`). See docs/worker.md, "Hard time limits".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reqless._job_fields import find_handler
from reqless.job_retry import RetryPolicy

__all__ = [
    "handler_policy",
    "timeout_error",
    "timeout_message",
    "timeout_policy",
    "timeout_retry_delay",
]


def timeout_message(limit: float) -> str:
    """The failure message of a job stopped for its time limit."""
    return f"Job exceeded its time limit of {limit:g} seconds"


def timeout_error(limit: float) -> TimeoutError:
    """The exception a retry policy plans a time-out's retry with."""
    return TimeoutError(timeout_message(limit))


def handler_policy(handler: Callable[..., Any]) -> RetryPolicy | None:
    """The policy `@reqless.retry(..., delay=...)` wrapped `handler` with, if any.

    The decorator sets it on its wrapper as `retry_policy`; a handler wrapped
    further by decorators that use `functools.wraps` is followed through
    `__wrapped__`.
    """
    seen: set[int] = set()
    current: Any = handler
    while callable(current) and id(current) not in seen:
        seen.add(id(current))
        found = getattr(current, "retry_policy", None)
        if isinstance(found, RetryPolicy):
            return found
        current = getattr(current, "__wrapped__", None)
    return None


def timeout_policy(job: Any, queue_policy: RetryPolicy | None) -> RetryPolicy | None:
    """The policy that retries `job`'s time-out: its handler's, else `queue_policy`.

    None when neither handles a TimeoutError (the job is then failed).
    """
    handler, _ = find_handler(job)
    probe = TimeoutError()
    for policy in (handler_policy(handler) if handler is not None else None, queue_policy):
        if policy is not None and policy.handles(probe):
            return policy
    return None


def timeout_retry_delay(job: Any, queue_policy: RetryPolicy | None, limit: float) -> float | None:
    """The delay of the retry `job` gets if it runs past `limit` (None: it is failed).

    Worked out when the job starts, for a watching parent that settles the job
    after killing its process (it cannot import the job's class, nor does it
    know the worker's policies).
    """
    policy = timeout_policy(job, queue_policy) if limit > 0 else None
    return None if policy is None else policy.plan(job, timeout_error(limit)).delay
