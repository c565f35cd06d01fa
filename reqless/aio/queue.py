"""A queue, and its per-state job listings, for the asyncio client."""

from __future__ import annotations

from reqless._calls import config as config_calls
from reqless._calls import queue as calls
from reqless.aio._queue_base import AsyncQueueBase, AsyncQueueJobs
from reqless.types import QueueCounts

__all__ = ["AsyncQueue", "AsyncQueueJobs"]


class AsyncQueue(AsyncQueueBase):
    """A named queue (`client.queues[name]`); the twin of `reqless.Queue`.

    No server call is made until a method needs one. It compares equal to its name.
    `len(queue)`, `queue.counts` and `queue.heartbeat` of the sync client are the
    methods `length()`, `counts()`, `heartbeat()` and `set_heartbeat()` here.
    """

    async def length(self) -> int:
        """How many jobs the queue holds (`len(queue)` of the sync client)."""
        return await self.client._run(calls.length(self._name))

    async def counts(self) -> QueueCounts:
        """Job counts of this queue by state, and whether it is paused."""
        return await self.client._run(calls.counts(self._name))

    async def heartbeat(self) -> int:
        """Seconds a popped job's lock lasts in this queue."""
        config = await self.client._run(config_calls.get_all())
        return calls.heartbeat_of(self._name, config)

    async def set_heartbeat(self, value: int) -> None:
        """Set the seconds a popped job's lock lasts in this queue."""
        await self.client._run(config_calls.set(f"{self._name}-heartbeat", value))
