"""A small time-bounded cache for results shared across requests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["TTLCache"]

T = TypeVar("T")


class TTLCache:
    """Values that expire `ttl` seconds after they were computed.

    `get(key, ttl, compute, fresh=True)` bypasses the cache (a manual refresh).
    Never serves a value older than the ttl given by the caller.
    """

    def __init__(self, max_entries: int = 4096) -> None:
        self._values: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: Any, ttl: float, compute: Callable[[], T], fresh: bool = False) -> T:
        now = time.monotonic()
        if not fresh:
            with self._lock:
                hit = self._values.get(key)
            if hit is not None and now - hit[0] < ttl:
                return hit[1]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            if len(self._values) >= self._max:
                self._values.clear()
            self._values[key] = (time.monotonic(), value)
        return value

    def forget(self, key: Any) -> None:
        with self._lock:
            self._values.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
