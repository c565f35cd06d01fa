"""Blocking pickup: pop from several queues, or sleep until one of them has work.

An idle worker that polls notices a new job half an interval late on average.
`Pickup.take` instead pops from its queues in one core call (`queues.pop`); when
that finds nothing, the same call records the worker as waiting, and the worker
blocks in BLPOP on the queues' wake lists, onto which the core pushes a token
whenever it makes a job ready there. It also wakes when a scheduled job, a
recurring spawn or a lock expiry comes due. See docs/core-design.md.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

from reqless.logger import logger

if TYPE_CHECKING:
    from reqless.client import Client
    from reqless.job import Job

__all__ = ["Pickup"]

#: The longest single BLPOP: how soon a blocked worker notices `stopping()`.
BLOCK_SLICE = 0.5


class Pickup:
    """Pops jobs for `client`'s worker name, blocking while there are none.

    Args:
        client: the worker's client (its `worker_name` holds the jobs).
        stopping: returns True when the worker is stopping; checked between
            slices of a wait so that a stop is noticed within half a second.
    """

    def __init__(self, client: Client, stopping: Callable[[], bool] = lambda: False) -> None:
        self.client = client
        self.stopping = stopping

    def pop(
        self, queues: Sequence[str], limit: int, wait: float
    ) -> tuple[list[Job], list[str], float]:
        """Pop up to `limit` jobs; with none, register to be woken and say how.

        Returns the jobs and, when there were none and `wait` > 0, the wake lists
        to block on and for how long (at most `wait`, less when something comes
        due sooner).
        """
        from reqless.job import Job

        now = time.time()
        reply = json.loads(self.client("queues.pop", self.client.worker_name, limit, wait, *queues))
        jobs = [Job(self.client, **payload) for payload in reply["jobs"]]
        if jobs or "wake" not in reply:
            return jobs, [], 0.0
        due = reply.get("next")
        block = wait if due is None else min(wait, max(float(due) - now, 0.0))
        return [], list(reply["wake"]), block

    def take(self, queues: Sequence[str], limit: int, wait: float) -> list[Job]:
        """Jobs from `queues` (earlier queues first); blocks up to `wait` s when none.

        Returns an empty list when the wait ends without work (or on a stop);
        the caller simply asks again.
        """
        jobs, keys, block = self.pop(queues, limit, wait)
        if jobs or block <= 0:
            return jobs
        if self.block(keys, block):
            jobs, _, _ = self.pop(queues, limit, 0)
        return jobs

    def block(self, keys: list[str], seconds: float) -> bool:
        """BLPOP the wake lists `keys` (from an empty pop) for up to `seconds`.

        True when a token arrived (a job was made ready), False on time-out,
        stop or a connection error (which the next pop will report).
        """
        deadline = time.monotonic() + seconds
        database = self.client.database
        while not self.stopping():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                # BLPOP takes its timeout in seconds with millisecond precision.
                if database.blpop(keys, timeout=max(min(left, BLOCK_SLICE), 0.001)):
                    return True
            except RedisError as exc:
                logger.warning("waiting for work failed: %s", exc)
                return False
        return False
