"""Recycling a worker child: replace it after N jobs, or once it holds too much memory.

`--max-jobs-per-child N` and `--max-memory-per-child MB` are checked between
jobs: a child that reached either takes no new job, lets its running jobs
finish, and exits with status 0. Its parent starts a replacement in the same
slot at once, under the same name, keeping the slot's round-robin turn (the
`SlotTurns` it shares with its children), so the queue order goes on where it
was. Memory is the child's resident set size, read from `/proc/self/statm`
(the current RSS); where there is no `/proc`, `resource.getrusage` gives the
peak RSS instead.
"""

from __future__ import annotations

import mmap
import os
import resource
import struct

from reqless.logger import logger

__all__ = ["Recycler", "SlotTurns", "rss_megabytes"]

_MEGABYTE = 1024 * 1024
_TURN = struct.Struct("<q")


def rss_megabytes() -> float:
    """This process's resident set size in MB (1 MB = 2**20 bytes)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            resident_pages = int(statm.read().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE") / _MEGABYTE
    except (OSError, ValueError, IndexError):
        # ru_maxrss is in kilobytes on Linux: the peak, not the current size.
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Recycler:
    """Counts the jobs a worker started and tells when it is due for recycling.

    Args:
        max_jobs: jobs to start before recycling (None: no limit).
        max_memory: resident MB above which the worker recycles (None: no limit).
    """

    def __init__(self, max_jobs: int | None, max_memory: float | None) -> None:
        self.max_jobs = max_jobs
        self.max_memory = max_memory
        #: Jobs started so far.
        self.started = 0
        #: Jobs asked for but not started yet (a completion that pops the next job).
        self.reserved = 0
        #: Why the worker is due (None: it is not); once set it stays.
        self.reason: str | None = None
        #: Whether there is a limit at all (without one, `due()` is False until set).
        self.limited = max_jobs is not None or max_memory is not None

    def room(self, free: int) -> int:
        """How many of `free` slots may take a new job now."""
        if self.due():
            return 0
        if self.max_jobs is None:
            return free
        return max(min(free, self.max_jobs - self.started - self.reserved), 0)

    def job_started(self) -> None:
        """Count one started job."""
        self.started += 1

    def due(self) -> bool:
        """Whether the worker must take no new job (checked between jobs; sticky)."""
        if self.reason is not None:
            return True
        if self.max_jobs is not None and self.started + self.reserved >= self.max_jobs:
            self.reason = f"it started {self.started} jobs (max {self.max_jobs} per child)"
        elif self.max_memory is not None:
            rss = rss_megabytes()
            if rss > self.max_memory:
                self.reason = f"it holds {rss:.0f} MB (max {self.max_memory:g} MB per child)"
        if self.reason is None:
            return False
        logger.info("worker %s recycles: %s; finishing its jobs, then exiting", os.getpid(),
                    self.reason)  # fmt: skip
        return True


class SlotTurns:
    """One round-robin turn per child slot, in memory shared with the children.

    A recycled child's replacement starts at the turn its predecessor reached.
    """

    def __init__(self, slots: int) -> None:
        self._memory = mmap.mmap(-1, max(slots, 1) * _TURN.size)

    def get(self, slot: int) -> int:
        """The turn slot `slot` last saved (0 at first)."""
        value: int = _TURN.unpack_from(self._memory, slot * _TURN.size)[0]
        return value

    def save(self, slot: int, turn: int) -> None:
        """Save slot `slot`'s turn (written by its child as it exits)."""
        _TURN.pack_into(self._memory, slot * _TURN.size, turn)
