"""Blocking pickup for asyncio workers: pop from several queues, or wait for work.

The same protocol as `reqless.pickup` (one `queues.pop` core call that pops or
registers the worker as waiting, then BLPOP on the queues' wake lists), over
`redis.asyncio`, so that waiting for work does not block the event loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

from reqless._calls import queue as calls
from reqless._calls.call import Call
from reqless._calls.queue import Picked
from reqless.exceptions import DurabilityError
from reqless.logger import logger
from reqless.queue_windows import QueueWindow

if TYPE_CHECKING:
    from reqless.aio.client import AsyncClient
    from reqless.aio.job import AsyncJob

__all__ = ["BLOCK_SLICE", "AsyncPickup"]

#: The longest single BLPOP: how soon a blocked worker notices `stopping()`.
BLOCK_SLICE = 0.5


class AsyncPickup:
    """Pops jobs for `client`'s worker name, waiting (without blocking the loop) while none.

    Args:
        client: the worker's asyncio client.
        stopping: returns True when the worker is stopping; checked between
            slices of a wait.
    """

    def __init__(self, client: AsyncClient, stopping: Callable[[], bool] = lambda: False) -> None:
        self.client = client
        self.stopping = stopping

    async def take(
        self, queues: Sequence[str], limit: Callable[[], int], wait: float
    ) -> list[AsyncJob]:
        """Up to `limit()` jobs from `queues` (earlier first); waits up to `wait` s when none.

        `limit` is asked at each pop, so slots freed during a wait are filled too.
        Returns an empty list when the wait ends without work (or on a stop).
        A `QueueWindow` is popped window after window, as by `Pickup.take`.
        """
        from reqless.aio.job import AsyncJob

        worker = self.client.worker_name
        while isinstance(queues, QueueWindow):
            picked = await self._pick(calls.pick(worker, max(limit(), 1), 0, queues))
            if picked.payloads:
                queues.served()
                return [AsyncJob(self.client, **payload) for payload in picked.payloads]
            queues = queues.exhausted()
        picked = await self._pick(calls.pick(worker, max(limit(), 1), wait, queues))
        if not picked.payloads and picked.block > 0 and await self.block(picked.wake, picked.block):
            picked = await self._pick(calls.pick(worker, max(limit(), 1), 0, queues))
        return [AsyncJob(self.client, **payload) for payload in picked.payloads]

    async def _pick(self, call: Call[Picked]) -> Picked:
        """Run a pop; with durable acknowledgement, one that the replicas did not
        confirm in time still hands over its jobs (they are held on the primary)."""
        try:
            return await self.client._run(call)
        except DurabilityError as exc:
            logger.error("running popped jobs without acknowledgement: %s", exc)
            picked: Picked = exc.reply
            return picked

    async def block(self, keys: list[str], seconds: float) -> bool:
        """BLPOP the wake lists `keys` for up to `seconds`; True when a token arrived."""
        deadline = time.monotonic() + seconds
        while not self.stopping():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                # BLPOP takes its timeout in seconds with millisecond precision.
                token = await self.client.database.blpop(
                    keys, timeout=max(min(left, BLOCK_SLICE), 0.001)
                )
            except RedisError as exc:
                logger.warning("waiting for work failed: %s", exc)
                return False
            if token:
                return True
        return False
