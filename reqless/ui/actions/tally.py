"""Per-jid outcomes of a multi-job action: ok, skipped (why) or error (core text).

A tally is shared between the thread doing the work and the requests reading its
progress, so every change and every snapshot takes its lock. It also carries the
stop flag that `DELETE /operations/{id}` raises; the work checks it between chunks.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["CHUNK", "MAX_LISTED", "Tally", "chunks"]

#: Most jids handed to one core call by a bulk action (docs/ui.md, Actions).
CHUNK = 100
#: Skipped and error entries kept per action; the totals keep counting beyond.
MAX_LISTED = 1_000

NOT_ATOMIC = (
    "Bulk actions are not atomic: each chunk of jobs is changed on its own, "
    "so a failure part-way leaves the earlier changes in place."
)


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class Tally:
    """Counts and capped lists of what happened to each jid."""

    def __init__(self, total: int | None = None) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.total = total
        self.processed = 0
        self.ok = 0
        self.extra: dict[str, int] = {}
        self._skipped: list[dict[str, str]] = []
        self._errors: list[dict[str, str]] = []
        self._skipped_total = 0
        self._errors_total = 0

    def succeeded(self, count: int = 1) -> None:
        with self._lock:
            self.processed += count
            self.ok += count

    def skip(self, jid: str, reason: str) -> None:
        with self._lock:
            self.processed += 1
            self._skipped_total += 1
            if len(self._skipped) < MAX_LISTED:
                self._skipped.append({"jid": jid, "reason": reason})

    def error(self, jid: str, message: str) -> None:
        with self._lock:
            self.processed += 1
            self._errors_total += 1
            if len(self._errors) < MAX_LISTED:
                self._errors.append({"jid": jid, "message": message})

    def count(self, key: str, amount: int = 1) -> None:
        """An extra counter, e.g. dependents cancelled along with the selection."""
        with self._lock:
            self.extra[key] = self.extra.get(key, 0) + amount

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def failed_any(self) -> bool:
        with self._lock:
            return self._errors_total > 0

    def result(self, listed: int = MAX_LISTED) -> dict[str, Any]:
        """The response shape of a bulk action (lists cut to `listed` entries, totals exact)."""
        with self._lock:
            return {
                "processed": self.processed,
                "ok": self.ok,
                "skipped": list(self._skipped[:listed]),
                "errors": list(self._errors[:listed]),
                "skipped_total": self._skipped_total,
                "errors_total": self._errors_total,
                **self.extra,
                "atomic": False,
                "note": NOT_ATOMIC,
            }

    def counts(self) -> dict[str, int]:
        """Counts for the audit record."""
        with self._lock:
            return {
                "processed": self.processed,
                "ok": self.ok,
                "skipped": self._skipped_total,
                "errors": self._errors_total,
                **self.extra,
            }
