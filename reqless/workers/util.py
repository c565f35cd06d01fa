"""Small helpers of the workers: dealing jobs, job sandboxes, process titles, wake-ups."""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

__all__ = [
    "TITLE_PREFIX",
    "Waker",
    "clean",
    "create_sandbox",
    "divide",
    "get_title",
    "in_main_thread",
    "set_title",
]

#: What every process title set by a worker starts with.
TITLE_PREFIX = "reqless-py-worker "

T = TypeVar("T")


def divide(jobs: Iterable[T], count: int) -> list[list[T]]:
    """Deal `jobs` round-robin into `count` lists: job `k` goes to list `k mod count`.

    With no jobs the result is `count` empty lists; group sizes differ by at most one.
    Raises `ValueError` when `count` is smaller than 1.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    groups: list[list[T]] = [[] for _ in range(count)]
    for index, job in enumerate(jobs):
        groups[index % count].append(job)
    return groups


def clean(path: str | os.PathLike[str]) -> None:
    """Delete every entry inside `path` (directories recursively), leaving `path` itself."""
    with os.scandir(path) as entries:
        for entry in entries:
            # A symbolic link is removed, never followed: its target is not ours to delete.
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.remove(entry.path)


@contextmanager
def create_sandbox(
    path: str | os.PathLike[str],
    clean_fn: Callable[[str | os.PathLike[str]], object] | None = None,
    *,
    known_empty: bool = False,
) -> Iterator[None]:
    """Make `path` an empty directory for the duration of the block, and empty it after.

    The directory is created with its parents when missing (an existing directory is
    fine; an existing file raises `FileExistsError`). It is cleaned with `clean_fn`
    (default `clean`) before the block and again afterwards, even when the block
    raised. The directory itself is never removed.

    `known_empty=True` skips the work before the block: the caller emptied the
    directory itself (the block before this one ended without error) and nothing
    of its own has run in it since. Making and emptying the directory before and
    after every job was about 15% of a worker's CPU per short job (docs/benchmarks.md).
    """
    cleaner = clean if clean_fn is None else clean_fn
    if not known_empty:
        os.makedirs(path, exist_ok=True)
        cleaner(path)
    try:
        yield
    finally:
        cleaner(path)


def set_title(message: str) -> None:
    """Set the process title to `reqless-py-worker <message>` (no-op without setproctitle)."""
    try:
        import setproctitle
    except ImportError:
        return
    setproctitle.setproctitle(TITLE_PREFIX + message)


def get_title() -> str:
    """Return the current process title, or `""` when setproctitle is not installed."""
    try:
        import setproctitle
    except ImportError:
        return ""
    return setproctitle.getproctitle()


def in_main_thread() -> bool:
    """Whether the caller may install signal handlers (Python allows it in the main thread only)."""
    return threading.current_thread() is threading.main_thread()


class Waker:
    """A pipe that wakes a sleeping loop: `wake()` may be called from a signal handler.

    A signal handler runs in the main thread between two bytecodes of whatever that
    thread was doing, possibly inside another handler. It must not take a lock the
    interrupted code may hold (a `threading.Event` or `Condition` does), or the
    process deadlocks. `wake()` only writes one byte to a non-blocking pipe. In a
    gevent process `select` is cooperative, so `wait()` lets other greenlets run.
    """

    def __init__(self) -> None:
        self._read = self._write = -1  # closed, until the pipe exists
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)

    def wake(self) -> None:
        """End the current (or next) `wait()`. Safe in signal handlers and from any thread."""
        fd = self._write
        if fd < 0:
            return
        # A full pipe (OSError) means a wake-up is pending already.
        with contextlib.suppress(OSError):
            os.write(fd, b"\0")

    def wait(self, timeout: float) -> bool:
        """Sleep until `wake()` or for `timeout` seconds; True when woken."""
        fd = self._read
        if fd < 0:
            return False
        ready, _, _ = select.select([fd], [], [], max(timeout, 0.0))
        if not ready:
            return False
        try:
            while os.read(fd, 512):
                pass
        except BlockingIOError:
            pass  # drained
        return True

    def close(self) -> None:
        """Close the pipe (a forked child closes its parent's); later calls do nothing."""
        fds, self._read, self._write = (self._read, self._write), -1, -1
        for fd in fds:
            if fd >= 0:
                os.close(fd)

    def __del__(self) -> None:
        self.close()
