"""Job classes the worker program runs during the benchmarks (`--path bench/agents`)."""

from __future__ import annotations

import time
from typing import Any

#: Where `Stamp` records when each job started (outside the core's `ql:` keys).
PICKUP_KEY = "bench:pickup"


class NoOp:
    """A job that does nothing but complete: what is left is the queue's own cost."""

    @staticmethod
    def process(job: Any) -> None:
        """Complete the job (a handler finishes its job itself, as in the README)."""
        job.complete()


class Stamp:
    """Records the time the job started, for pickup latency."""

    @staticmethod
    def process(job: Any) -> None:
        """Append `<jid> <time.time()>` to `bench:pickup`, then complete the job."""
        started = time.time()
        job.client.database.rpush(PICKUP_KEY, f"{job.jid} {started!r}")
        job.complete()
