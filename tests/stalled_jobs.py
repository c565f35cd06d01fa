"""One queue holding a job in each kind of stall, for the tests of what "stalled" means.

Queue `q`, as of now: `expired` was popped 1000 s ago and its lock has expired;
`handed` was popped then and handed back by its worker with `job.timeout` (as a
worker does at shutdown); `waits` is a plain waiting job.
"""

from __future__ import annotations

import time

from redis import Redis

from reqless.core import CoreRunner

__all__ = ["QUEUE", "STALLED", "make_stalled_jobs"]

QUEUE = "q"
#: The stalled jids in listing order: expired locks first, then handed-back jobs.
STALLED = ["expired", "handed"]


def make_stalled_jobs(redis: Redis) -> None:
    """Fill queue `q` of `redis` as the module says."""
    core = CoreRunner(redis)
    past = time.time() - 1000
    for jid in ("expired", "handed"):
        core.call("queue.put", "w", QUEUE, jid, "app.Job", "{}", 0, now=past)
    core.call("queue.pop", QUEUE, "w", 2, now=past)
    core.call("job.timeout", "handed", now=past + 1)
    core.call("queue.put", "w", QUEUE, "waits", "app.Job", "{}", 0)
