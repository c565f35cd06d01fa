"""The asyncio worker's threads, and which job's code each one runs.

A plain (not `async def`) handler runs in a thread (`asyncio.to_thread`). When
its task is cancelled (time limit, shutdown, lock lost) the task ends at once,
but the thread runs on: nothing can stop it. Until that thread returns, the job
is still running in this process, so the worker must neither settle it nor
forget it: it stays on the job board as interrupted, and a watching forking
parent kills the process after the kill grace, then settles the job while its
lock still keeps it from every other worker.

`JobThreads` is the loop's default executor. It notes, for each job, the work
the job's task sent to a thread: `asyncio.to_thread` submits from inside the
calling task, so the job whose task is running is known at `submit` time
(`current_job`, a context variable each job task sets for itself).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["JobThreads", "current_job"]

T = TypeVar("T")

#: The jid of the job whose task is running (None outside job tasks).
current_job: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "reqless_current_job", default=None
)


class JobThreads(ThreadPoolExecutor):
    """A thread pool that knows which job each piece of work belongs to."""

    def __init__(self, size: int) -> None:
        super().__init__(size, thread_name_prefix="reqless-job")
        self._work: dict[str, set[Future[Any]]] = {}

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Run `fn` in a thread, noted under the job whose task submits it."""
        future = super().submit(fn, *args, **kwargs)
        jid = current_job.get()
        if jid is not None:
            self._work.setdefault(jid, set()).add(future)
        return future

    def running(self, jid: str) -> list[Future[Any]]:
        """The work of job `jid` that a thread still runs (or will run)."""
        return [future for future in self._work.get(jid, ()) if not future.done()]

    def forget(self, jid: str) -> None:
        """Drop what is known of job `jid` (its task ended and no thread runs its code)."""
        self._work.pop(jid, None)
