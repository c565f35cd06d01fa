"""Decorators for job handlers."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol, TypeVar, overload

from reqless.exceptions import ReqlessError
from reqless.job_retry import RetryPolicy, checked_exceptions
from reqless.logger import logger

__all__ = ["retry"]


class _Retryable(Protocol):
    jid: str

    def retry(self) -> Any: ...


J = TypeVar("J", bound=_Retryable)


class _RetryDecorator:
    """What `retry(...)` returns: wraps a plain or an `async def` handler."""

    def __init__(self, excepts: tuple[type[BaseException], ...], policy: RetryPolicy | None):
        self.excepts = excepts
        #: None: the plain form, `job.retry()` with no arguments (spec 2.6).
        self.policy = policy

    @overload
    def __call__(  # type: ignore[overload-overlap]  # a coroutine function is callable too
        self, func: Callable[[J], Awaitable[object]]
    ) -> Callable[[J], Coroutine[Any, Any, None]]: ...

    @overload
    def __call__(self, func: Callable[[J], object]) -> Callable[[J], None]: ...

    def __call__(self, func: Callable[[J], Any]) -> Callable[[J], Any]:
        excepts, policy = self.excepts, self.policy
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def awaiting(job: J) -> None:
                try:
                    await func(job)
                except excepts as exc:
                    if policy is None:
                        logger.info("job %s raised %r; retrying it", job.jid, exc)
                        await job.retry()
                    else:
                        await job._retry_for(policy, exc)  # type: ignore[attr-defined]

            awaiting.retry_policy = policy  # type: ignore[attr-defined]
            return awaiting

        @functools.wraps(func)
        def wrapper(job: J) -> None:
            try:
                func(job)
            except excepts as exc:
                if policy is None:
                    logger.info("job %s raised %r; retrying it", job.jid, exc)
                    job.retry()
                else:
                    job._retry_for(policy, exc)  # type: ignore[attr-defined]

        # The worker reads it to retry a job that runs past its time limit.
        wrapper.retry_policy = policy  # type: ignore[attr-defined]
        return wrapper


def retry(
    *excepts: type[BaseException],
    delay: float | None = None,
    backoff: float = 1.0,
    max_delay: float | None = None,
    jitter: bool = False,
) -> _RetryDecorator:
    """Retry the job when the handler raises one of `excepts`; other exceptions propagate.

    Without `delay` this is the plain form: `job.retry()`, at once, with no reason.
    With `delay` (seconds, 0 included) the n-th retry of the job (n = 1 + the
    retries it used) waits `min(delay * backoff ** (n - 1), max_delay)` seconds,
    drawn between half of that and all of it with `jitter`; the job's history gets
    a `retrying` entry with the group (`<queue>-<ExceptionName>`), the exception
    text, the delay and n, and the retry carries the same group and text (the
    failure once no retry is left). See `reqless.job_retry.RetryPolicy`.

    Works on plain and `async def` handlers (the wrapper of a coroutine function is
    one, and awaits the async job's retry). The wrapper keeps the handler's name,
    docstring and signature, and returns None. Stack `@staticmethod` on top of it
    in a job class. Raises ReqlessError at decoration time naming a bad argument:
    an `excepts` item that is not an exception class, `delay` or `max_delay` below
    0, `backoff` below 1, or `backoff`/`max_delay`/`jitter` without `delay`.
    """
    classes = checked_exceptions(excepts)
    if delay is None:
        given = [name for name, value, default in (
            ("backoff", backoff, 1.0), ("max_delay", max_delay, None), ("jitter", jitter, False)
        ) if value != default]  # fmt: skip
        if given:
            raise ReqlessError(f"retry(): {', '.join(given)} needs a delay (delay=0 for none)")
        return _RetryDecorator(classes, None)
    return _RetryDecorator(classes, RetryPolicy(classes, delay, backoff, max_delay, jitter))
