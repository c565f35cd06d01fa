"""Decorators for job handlers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from reqless.exceptions import ReqlessError
from reqless.logger import logger

__all__ = ["retry"]


class _Retryable(Protocol):
    jid: str

    def retry(self) -> Any: ...


J = TypeVar("J", bound=_Retryable)


def retry(*excepts: type[BaseException]) -> Callable[[Callable[[J], object]], Callable[[J], None]]:
    """Retry the job (`job.retry()`, no delay) when the handler raises one of `excepts`.

    Other exceptions propagate. The wrapper keeps the handler's name, docstring and
    signature, and returns None. Stack `@staticmethod` on top of it in a job class.
    Raises ReqlessError at decoration time when an argument is not an exception class.
    """
    for cls in excepts:
        if not (isinstance(cls, type) and issubclass(cls, BaseException)):
            raise ReqlessError(f"retry() takes exception classes, not {cls!r}")

    def decorator(func: Callable[[J], object]) -> Callable[[J], None]:
        @functools.wraps(func)
        def wrapper(job: J) -> None:
            try:
                func(job)
            except excepts as exc:
                logger.info("job %s raised %r; retrying it", job.jid, exc)
                job.retry()

        return wrapper

    return decorator
