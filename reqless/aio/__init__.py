"""reqless for asyncio: `AsyncClient`, the twin of `reqless.Client` on `redis.asyncio`.

    async with AsyncClient("redis://localhost:6379") as client:
        jid = await client.queues["emails"].put("app.jobs.Send", {"to": "x@example.com"})

Every call is built, checked and parsed by the same code as the synchronous
client's (`reqless._calls`); only the waiting differs. See docs/asyncio.md.
"""

from reqless.aio.client import AsyncClient
from reqless.aio.collections import AsyncJobs, AsyncQueues, AsyncThrottles, AsyncWorkers
from reqless.aio.config import AsyncConfig
from reqless.aio.events import AsyncEvents
from reqless.aio.job import AsyncJob, AsyncRecurringJob
from reqless.aio.listener import AsyncListener
from reqless.aio.queue import AsyncQueue, AsyncQueueJobs
from reqless.aio.queue_patterns import AsyncQueuePatterns
from reqless.aio.throttle import AsyncThrottle

__all__ = [
    "AsyncClient",
    "AsyncConfig",
    "AsyncEvents",
    "AsyncJob",
    "AsyncJobs",
    "AsyncListener",
    "AsyncQueue",
    "AsyncQueueJobs",
    "AsyncQueuePatterns",
    "AsyncQueues",
    "AsyncRecurringJob",
    "AsyncThrottle",
    "AsyncThrottles",
    "AsyncWorkers",
]
