"""A small typed wrapper over the standard library's future."""

from __future__ import annotations

import concurrent.futures
from typing import Generic, TypeVar

__all__ = ["Future"]

T = TypeVar("T")


class Future(Generic[T]):
    """A value that one thread sets once and other threads wait for."""

    def __init__(self) -> None:
        self._future: concurrent.futures.Future[T] = concurrent.futures.Future()

    def __repr__(self) -> str:
        return f"<reqless.Future done={self.done()}>"

    def done(self) -> bool:
        """True once a result has been set."""
        return self._future.done()

    def result(self, timeout: float | None = None) -> T:
        """The result, waiting up to `timeout` seconds (forever when None).

        Raises TimeoutError when the time runs out first.
        """
        return self._future.result(timeout)

    def set_result(self, result: T) -> None:
        """Set the result; setting it twice raises `concurrent.futures.InvalidStateError`."""
        self._future.set_result(result)
