"""Which retry policy, if any, retries a job stopped for its time limit."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from reqless.decorators import retry
from reqless.job_retry import RetryPolicy
from reqless.workers.timeout_retry import handler_policy


def passthrough(func: Callable[[Any], None]) -> Callable[[Any], None]:
    @functools.wraps(func)
    def wrapper(job: Any) -> None:
        func(job)

    return wrapper


def test_the_policy_of_a_retry_decorator_is_found_even_under_other_decorators() -> None:
    @passthrough
    @retry(OSError, delay=5, backoff=2)
    def handler(job: Any) -> None: ...

    found = handler_policy(handler)
    assert found == RetryPolicy((OSError,), 5, 2)
    assert found is not None and found.handles(TimeoutError())


def test_the_plain_decorator_and_undecorated_handlers_have_no_policy() -> None:
    @retry(TimeoutError)
    def plain(job: Any) -> None: ...

    def bare(job: Any) -> None: ...

    assert handler_policy(plain) is None
    assert handler_policy(bare) is None
    assert handler_policy(print) is None


def test_the_policy_of_an_async_handler_is_found() -> None:
    @retry(TimeoutError, delay=1)
    async def handler(job: Any) -> None: ...

    assert handler_policy(handler) == RetryPolicy((TimeoutError,), 1)
