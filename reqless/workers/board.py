"""The job board: which job each worker child runs, in memory it shares with its parent.

A forking parent must know what its children are running: to kill a child whose
job ran past its time limit and did not stop (`--kill-grace`), and to hand back
a dead child's jobs at once. Each child writes one record per running job into
an anonymous shared mapping made by the parent before forking; the mapping
outlives a child killed with SIGKILL, and reading it needs no call to anyone.

Each record is guarded by a generation counter (odd while it is being written,
and from its job's end until the next claim), so the parent never acts on a
half-written record. Jids longer than
`JID_BYTES` bytes are not recorded; the parent still finds such jobs through the
server's list of the jobs a worker name holds.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass

from reqless.workers.policy import Action

__all__ = ["JID_BYTES", "BoardEntry", "BoardView", "JobBoard"]

#: Longest jid (UTF-8 bytes) a record holds.
JID_BYTES = 255
# generation, started_at, timeout, halted_at, halted (index in _REASONS), retry delay of
# a time-out (< 0: none), jid length, jid
_RECORD = struct.Struct(f"<QdddBdH{JID_BYTES}s")
_HALT = struct.Struct("<dB")
_GENERATION = struct.Struct("<Q")
_HALT_OFFSET = 8 + 8 + 8
# Bound once: a claim and a release run for every job a child runs.
_pack_record = _RECORD.pack_into
_pack_generation = _GENERATION.pack_into
_REASONS: tuple[Action | None, ...] = (None, Action.TIMEOUT, Action.SHUTDOWN, Action.LOST)


@dataclass(frozen=True, slots=True)
class BoardEntry:
    """One running job of a child, as the child last wrote it."""

    jid: str
    #: `time.monotonic()` when the job started.
    started_at: float
    #: Its time limit in seconds (0: none).
    timeout: float
    #: Why the child interrupted it, if it did, and when.
    halted: Action | None
    halted_at: float | None
    #: Seconds to retry it after, should it time out (None: fail it then); the
    #: child works it out from the job's retry policy when the job starts.
    retry_delay: float | None = None


class JobBoard:
    """`children` x `slots` records in shared memory (made before forking)."""

    def __init__(self, children: int, slots: int) -> None:
        self.children = max(children, 1)
        self.slots = max(slots, 1)
        self._memory = mmap.mmap(-1, self.children * self.slots * _RECORD.size)

    def view(self, child: int) -> BoardView:
        """The records of child slot `child` (what that child writes to)."""
        return BoardView(self._memory, child * self.slots, self.slots)

    def entries(self, child: int) -> list[BoardEntry]:
        """The jobs child slot `child` runs now (records being written are skipped)."""
        found = []
        for record in range(child * self.slots, (child + 1) * self.slots):
            entry = _read(self._memory, record * _RECORD.size)
            if entry is not None:
                found.append(entry)
        return found

    def clear(self, child: int) -> None:
        """Forget every record of child slot `child` (it died)."""
        view = self.view(child)
        for index in range(self.slots):
            view.release(index)


class BoardView:
    """The records one child writes: one per job it runs at once.

    Only the child's own thread of control writes a record, except `halted`,
    which a supervising thread may write while the job runs.
    """

    def __init__(self, memory: mmap.mmap, first: int, slots: int) -> None:
        self._memory = memory
        self._free = list(range(slots))
        self._offsets = [(first + index) * _RECORD.size for index in range(slots)]
        # Only this child writes these records, so their generations are kept here
        # too: a claim and a release then write, and never read, shared memory.
        self._generations = [
            _RECORD.unpack_from(memory, self._offsets[index])[0] | 1 for index in range(slots)
        ]

    def claim(
        self, jid: str, started_at: float, timeout: float, retry_delay: float | None = None
    ) -> int | None:
        """Record job `jid`; returns its record index (None: no free record, or jid too long).

        `retry_delay`: the delay of the retry the job gets if it times out (None:
        it is failed then); see `reqless.workers.timeout_retry`.
        """
        encoded = jid.encode()
        size = len(encoded)
        if not self._free or size > JID_BYTES:
            return None
        index = self._free.pop(0)
        offset = self._offsets[index]
        generation = self._generations[index]
        delay = -1.0 if retry_delay is None else retry_delay
        _pack_record(self._memory, offset, generation, started_at, timeout, 0.0, 0, delay, size,
                     encoded)  # fmt: skip
        _pack_generation(self._memory, offset, generation + 1)
        self._generations[index] = generation + 2
        return index

    def halted(self, index: int | None, reason: Action, at: float) -> None:
        """Note that the job of record `index` was interrupted for `reason` at `at`."""
        if index is None:
            return
        _HALT.pack_into(self._memory, self._offsets[index] + _HALT_OFFSET, at,
                        _REASONS.index(reason))  # fmt: skip

    def release(self, index: int | None) -> None:
        """The job of record `index` ended: mark the record empty and free it."""
        if index is None:
            return
        # One 8-byte write per job instead of rewriting the whole record: an odd
        # generation reads as no record, and the next claim writes it anew,
        # starting from this same odd generation.
        _pack_generation(self._memory, self._offsets[index], self._generations[index])
        if index not in self._free:
            self._free.append(index)


def _read(memory: mmap.mmap, offset: int) -> BoardEntry | None:
    before, started_at, timeout, halted_at, halted, delay, size, raw = _RECORD.unpack_from(
        memory, offset
    )
    if before % 2 or not size:
        return None
    if _GENERATION.unpack_from(memory, offset)[0] != before:
        return None  # rewritten meanwhile
    try:
        jid = raw[:size].decode()
        reason = _REASONS[halted]
    except (UnicodeDecodeError, IndexError):
        return None
    return BoardEntry(jid, started_at, timeout, reason, halted_at if reason is not None else None,
                      delay if delay >= 0 else None)  # fmt: skip
