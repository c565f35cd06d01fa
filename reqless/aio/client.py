"""The asyncio client: one `redis.asyncio` connection pool, one worker identity."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import AuthorizationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless import _validate, defaults
from reqless._calls import Call
from reqless._calls import job as job_calls
from reqless._calls import server as server_calls
from reqless.aio.batch_context import AsyncBatchContext
from reqless.aio.collections import (
    AsyncBatches,
    AsyncJobs,
    AsyncQueues,
    AsyncThrottles,
    AsyncWorkers,
)
from reqless.aio.config import AsyncConfig
from reqless.core import Arg
from reqless.core.acknowledged import AsyncAcknowledger
from reqless.core.async_runner import AsyncCoreRunner
from reqless.durability import Durability, checked_durability
from reqless.exceptions import ArgumentError, DurabilityError, ReqlessError
from reqless.keys import KeySpace
from reqless.retry_policy import RetrySchedule, has_password, located
from reqless.server_access import explain
from reqless.topology import cluster_url, connect_async, parse_server_url

if TYPE_CHECKING:
    from reqless.aio.events import AsyncEvents
    from reqless.aio.queue_patterns import AsyncQueuePatterns
    from reqless.client import Client

__all__ = ["AsyncClient"]

T = TypeVar("T")


class AsyncClient:
    """An asyncio connection to a Redis or Valkey server running the reqless core.

    The asyncio twin of `reqless.Client`: the same arguments, the same calls
    (built by the same code), awaited. Close it with `await client.aclose()` or
    use it as `async with AsyncClient(url) as client:`.

    Args:
        url: any URL `redis.asyncio.Redis.from_url` accepts, or a cluster's or
            Sentinel's (see `reqless.Client`).
        hostname: the worker name this client presents; defaults to the host name.
        retry_window: seconds during which a call that hit a connection error or a
            time-out is tried again, with backoff (0: never); see `reqless.Client`.
        max_data_bytes: the largest job data (bytes) sent; see `reqless.Client`.
        durability: what put, put_many, complete, fail and retry wait for before
            they return (`reqless.durability.Durability`), or None; see `reqless.Client`.
        namespace: the namespace of every key and channel; see `reqless.Client`.
        cluster: instead of `url`, a cluster's nodes; see `reqless.Client`.
        **kwargs: connection options as `redis.asyncio.Redis.from_url` takes them
            (`decode_responses` is forced on); `max_connections` (default
            `defaults.ASYNC_MAX_CONNECTIONS`) caps the pool, and calls beyond it wait.
    """

    def __init__(
        self,
        url: str = defaults.REDIS_URL,
        hostname: str | None = None,
        *,
        retry_window: float = defaults.RETRY_WINDOW,
        max_data_bytes: int | None = defaults.MAX_DATA_BYTES,
        namespace: str | None = None,
        cluster: Sequence[str | tuple[str, int]] | None = None,
        durability: Durability | None = None,
        **kwargs: Any,
    ) -> None:
        options: dict[str, Any] = {
            # Retries are decided per command in __call__, as in reqless.Client.
            "retry": Retry(NoBackoff(), 0),
            "socket_connect_timeout": defaults.CONNECT_TIMEOUT,
            "max_connections": defaults.ASYNC_MAX_CONNECTIONS,
            **kwargs,
            "decode_responses": True,
        }
        #: The names of this client's keys and channels: its namespace's, or
        #: the shared `ql:` layout's when it has none (`reqless.keys`).
        self.keys = KeySpace(_validate.namespace(namespace))
        self.retry_window = float(_validate.number("retry_window", retry_window, minimum=0))
        #: Largest job data (bytes, encoded) that puts, requeues and recurring jobs
        #: send; more is refused before sending. None: no limit.
        self.max_data_bytes = _validate.data_limit(max_data_bytes)
        self._url = url
        self._kwargs = dict(kwargs)
        # Blocking: a burst of concurrent calls waits for a free connection
        # instead of failing with "Too many connections".
        if cluster is not None:
            if url != defaults.REDIS_URL:
                raise ArgumentError("give either a URL or cluster=[...] nodes, not both")
            url = cluster_url(cluster)
        #: Where the server is: one server, a cluster, or a primary found through Sentinel.
        self.address = parse_server_url(url)
        self._database: Any = connect_async(self.address, **options)
        self._runner = AsyncCoreRunner(self._database, keys=self.keys.call_keys)
        #: What acknowledged writes wait for (None: nothing); see `reqless.durability`.
        self.durability = checked_durability(durability)
        self._acknowledger = (
            None if self.durability is None else AsyncAcknowledger(self._runner, self.durability)
        )
        self.worker_name: str = hostname or socket.gethostname()
        self._config = AsyncConfig(self)
        self._jobs = AsyncJobs(self)
        self._queues = AsyncQueues(self)
        self._throttles = AsyncThrottles(self)
        self._workers = AsyncWorkers(self)
        self._batches = AsyncBatches(self)
        self._sync: Client | None = None
        self._owns_sync = True

    @classmethod
    def from_client(cls, client: Client, **overrides: Any) -> AsyncClient:
        """An asyncio client of the same server, options and worker name as `client`.

        `overrides` replace options (`max_connections=...`). `client` becomes this
        one's `sync_client` (and is not closed by `aclose()`).
        """
        options = {"max_data_bytes": client.max_data_bytes, "durability": client.durability,
                   "namespace": client.keys.namespace, **client._kwargs, **overrides}  # fmt: skip
        made = cls(client._url, client.worker_name, retry_window=client.retry_window,
                   **options)  # fmt: skip
        made._sync, made._owns_sync = client, False
        return made

    def __repr__(self) -> str:
        db = self.address.db if self.address.kind != "single" else self._pool_kwargs().get("db", 0)
        return f"<reqless.aio.AsyncClient {self._where()} db={db} worker={self.worker_name!r}>"

    def _where(self) -> str:
        if self.address.kind != "single":
            hosts = ",".join(f"{host}:{port}" for host, port in self.address.hosts)
            return f"{self.address.kind} {hosts}"
        kwargs = self._pool_kwargs()
        return str(kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}")

    def _pool_kwargs(self) -> dict[str, Any]:
        return dict(self._database.connection_pool.connection_kwargs)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections (and those of `sync_client`, if it was made)."""
        await self._database.aclose()
        if self._sync is not None and self._owns_sync:
            self._sync.database.close()
            self._sync = None

    async def __call__(
        self, command: str, *args: Arg, repeatable: bool = False, acknowledged: bool = False
    ) -> Any:
        """Run a core command now; returns the raw reply (JSON stays text).

        Connection errors and time-outs are retried with backoff for `retry_window`
        seconds when the command never reached the server, or, if `repeatable`
        (it is safe to run twice: a prepared `Call` says so), whenever it failed.
        An `acknowledged` command waits for the client's `durability`, if any.
        """
        started = time.monotonic()
        schedule = None  # made on the first error: most calls need none
        while True:
            try:
                if acknowledged and self._acknowledger is not None:
                    return await self._acknowledger.call(command, *args)
                return await self._runner.call(command, *args)
            except AuthorizationError:
                raise  # a missing permission does not get better with time
            except (RedisConnectionError, RedisTimeoutError) as exc:
                # Nor does a missing password, or TLS to a server without it (the
                # check may probe the server, so it runs off the event loop).
                password = has_password(self._url, self._kwargs)
                error = await asyncio.to_thread(explain, exc, self._url, password=password)
                if error is not None:
                    raise error from exc
                if schedule is None:
                    schedule = RetrySchedule(
                        command, self.retry_window, started, repeatable=repeatable
                    )
                pause = schedule.next_pause(exc, time.monotonic())
                if pause is None:
                    self._raise_located(exc)
                await asyncio.sleep(pause)

    async def _run(self, call: Call[T]) -> T:
        """Run a prepared call (see `reqless._calls`) and read its reply."""
        try:
            reply = await self(call.command, *call.args, repeatable=call.repeatable,
                               acknowledged=call.acknowledged)  # fmt: skip
        except DurabilityError as exc:
            exc.reply = call.parse(exc.reply)  # applied: the caller gets its result
            raise
        except ReqlessError as exc:
            translated = call.translate(exc)
            if translated is exc:
                raise
            raise translated from exc
        return call.parse(reply)

    def _raise_located(self, exc: Exception) -> NoReturn:
        error = located(exc, self._where())
        if error is exc:
            raise exc
        raise error from exc

    @property
    def database(self) -> Redis:
        """The underlying `redis.asyncio.Redis` connection (for a cluster URL, redis-py's
        `RedisCluster`, which routes each command by its key)."""
        database: Redis = self._database
        return database

    @property
    def sync_client(self) -> Client:
        """A synchronous `reqless.Client` of the same server and worker name.

        Made on first use; plain (non-`async`) job handlers get jobs bound to it,
        as they run in a thread and cannot await.
        """
        from reqless.client import Client

        if self._sync is None:
            self._sync = Client(self._url, self.worker_name, retry_window=self.retry_window,
                                max_data_bytes=self.max_data_bytes, durability=self.durability,
                                namespace=self.keys.namespace, **self._kwargs)  # fmt: skip
        self._sync.worker_name = self.worker_name
        return self._sync

    @property
    def config(self) -> AsyncConfig:
        """The server's configuration."""
        return self._config

    @property
    def jobs(self) -> AsyncJobs:
        """Jobs across queues: lookup by jid, completed, tracked, tagged, failed."""
        return self._jobs

    @property
    def queues(self) -> AsyncQueues:
        """Queues by name, and the counts of every known queue."""
        return self._queues

    @property
    def throttles(self) -> AsyncThrottles:
        """Throttles by name."""
        return self._throttles

    @property
    def workers(self) -> AsyncWorkers:
        """Workers known to the server and the jobs each one holds."""
        return self._workers

    @property
    def batches(self) -> AsyncBatches:
        """Batches by id (`await client.batches.get(bid)`) and `list()` (docs/batches.md)."""
        return self._batches

    def batch(
        self, on_success: Any = None, on_complete: Any = None, *, id: str | None = None
    ) -> AsyncBatchContext:
        """Open a batch: `async with client.batch(on_success=(Klass, data, queue)) as
        batch: await batch.put(queue, Klass, data)`; see `reqless.Client.batch`."""
        return AsyncBatchContext(self, on_success, on_complete, id)

    @cached_property
    def queue_patterns(self) -> AsyncQueuePatterns:
        """Stored queue identifier and priority patterns (used by workers)."""
        from reqless.aio.queue_patterns import AsyncQueuePatterns

        return AsyncQueuePatterns(self)

    @cached_property
    def events(self) -> AsyncEvents:
        """Pubsub events of tracked jobs (created on first use)."""
        from reqless.aio.events import AsyncEvents

        return AsyncEvents(self._database, self.keys)

    async def track(self, jid: str) -> bool:
        """Track a job; True when it was not tracked before."""
        return await self._run(job_calls.track(jid))

    async def untrack(self, jid: str) -> bool:
        """Stop tracking a job; True when it was tracked."""
        return await self._run(job_calls.untrack(jid))

    async def tags(self, offset: int = 0, count: int = defaults.TAGS_COUNT) -> list[str]:
        """The most used tags (carried by at least two jobs), most used first."""
        return await self._run(server_calls.tags(offset, count))

    async def unfail(self, group: str, queue: str, count: int = defaults.UNFAIL_COUNT) -> int:
        """Move up to `count` jobs of failure group `group` back into `queue`."""
        return await self._run(server_calls.unfail(group, queue, count))
