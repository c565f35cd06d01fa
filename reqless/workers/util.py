"""Small helpers of the workers: dealing jobs, job sandboxes and process titles."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

__all__ = ["TITLE_PREFIX", "clean", "create_sandbox", "divide", "get_title", "set_title"]

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
) -> Iterator[None]:
    """Make `path` an empty directory for the duration of the block, and empty it after.

    The directory is created with its parents when missing (an existing directory is
    fine; an existing file raises `FileExistsError`). It is cleaned with `clean_fn`
    (default `clean`) before the block and again afterwards, even when the block
    raised. The directory itself is never removed.
    """
    cleaner = clean if clean_fn is None else clean_fn
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
