"""The client: one connection, one worker identity, and the helper collections."""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import AuthorizationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from reqless import _validate, defaults
from reqless._calls import Call
from reqless._calls import job as job_calls
from reqless._calls import server as server_calls
from reqless.batch_context import BatchContext
from reqless.collections import Batches, Jobs, Queues, Throttles, Workers
from reqless.config import Config
from reqless.core import Arg, CoreRunner
from reqless.core.acknowledged import Acknowledger
from reqless.durability import Durability, checked_durability
from reqless.exceptions import ArgumentError, DurabilityError, ReqlessError
from reqless.keys import KeySpace
from reqless.retry_policy import RetrySchedule, has_password, located, may_retry, never_sent
from reqless.server_access import explain
from reqless.topology import cluster_url, connect_sync, parse_server_url

if TYPE_CHECKING:
    from reqless.events import Events
    from reqless.queue_patterns import QueuePatterns

# The retry policy's names stay importable from here, where they were first.
__all__ = ["Client", "has_password", "located", "may_retry", "never_sent"]

T = TypeVar("T")


class Client:
    """A connection to a Redis or Valkey server running the reqless core.

    Args:
        url: any URL `redis.Redis.from_url` accepts: `redis://`, `rediss://` (TLS),
            `unix://`, with password and database number; or a cluster's
            (`redis+cluster://h:p,h:p`, which needs a `namespace`) or Sentinel's
            (`redis+sentinel://h:p,h:p/service`): docs/scale-out.md.
        hostname: the worker name this client presents; defaults to the host name.
        retry_window: seconds during which a call that hit a connection error or a
            time-out is tried again, with backoff (0: never).
        max_data_bytes: the largest job data (encoded, in bytes) a put, requeue or
            recurring job sends; larger data raises ReqlessError before anything is
            sent (default `defaults.MAX_DATA_BYTES`, 64 MiB; None: no limit).
        durability: what put, put_many, complete, fail and retry wait for before
            they return (`reqless.durability.Durability`: replicas, disks), or None
            (the default: they return once the primary applied them). A wait that
            falls short raises `DurabilityError`; docs/scale-out.md.
        cluster: instead of `url`, the nodes of a cluster (`["10.0.0.5:7000", ...]` or
            `(host, port)` pairs): the keyword form of `redis+cluster://...`.
        namespace: keep every key and channel of this client under `ql:{<namespace>}:`
            (one cluster slot per namespace: docs/scale-out.md); None (the
            default) uses the `ql:` layout every reqless client shares.
        **kwargs: passed to `redis.Redis.from_url` (`decode_responses` is forced on).

    The constructor does not contact the server. A call the server did not answer
    is retried for `retry_window` seconds, so a server restart is survived (the
    script is loaded again afterwards), except that a command which may have run
    and is not safe to repeat (its `Call` says so: `reqless._calls`) raises at
    once. A command sent by name (`client("queue.peek", ...)`) is sent again only
    when it never reached the server.
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
            # Retries are decided per command in __call__; redis-py's would repeat
            # any command, a pop included, after its reply was lost.
            "retry": Retry(NoBackoff(), 0),
            "socket_connect_timeout": defaults.CONNECT_TIMEOUT,
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
        # Kept so that an asyncio twin can connect alike (AsyncClient.from_client).
        self._url = url
        self._kwargs = dict(kwargs)
        if cluster is not None:
            if url != defaults.REDIS_URL:
                raise ArgumentError("give either a URL or cluster=[...] nodes, not both")
            url = cluster_url(cluster)
        #: Where the server is: one server, a cluster, or a primary found through Sentinel.
        self.address = parse_server_url(url)
        self._database: Any = connect_sync(self.address, **options)
        self._runner = CoreRunner(self._database, keys=self.keys.call_keys)
        #: What acknowledged writes wait for (None: nothing); see `reqless.durability`.
        self.durability = checked_durability(durability)
        self._acknowledger = (
            None if self.durability is None else Acknowledger(self._runner, self.durability)
        )
        self.worker_name: str = hostname or socket.gethostname()
        self._config = Config(self)
        self._jobs = Jobs(self)
        self._queues = Queues(self)
        self._throttles = Throttles(self)
        self._workers = Workers(self)
        self._batches = Batches(self)

    def __repr__(self) -> str:
        db = self.address.db if self.address.kind != "single" else self._pool_kwargs().get("db", 0)
        return f"<reqless.Client {self._where()} db={db} worker={self.worker_name!r}>"

    def _where(self) -> str:
        if self.address.kind != "single":
            hosts = ",".join(f"{host}:{port}" for host, port in self.address.hosts)
            return f"{self.address.kind} {hosts}"
        kwargs = self._pool_kwargs()
        return str(kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}")

    def _pool_kwargs(self) -> dict[str, Any]:
        return dict(self._database.connection_pool.connection_kwargs)

    def __call__(
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
                    return self._acknowledger.call(command, *args)
                return self._runner.call(command, *args)
            except AuthorizationError:
                raise  # a missing permission does not get better with time
            except (RedisConnectionError, RedisTimeoutError) as exc:
                self._raise_explained(exc)  # nor does a missing password, or TLS to no TLS
                if schedule is None:
                    schedule = RetrySchedule(
                        command, self.retry_window, started, repeatable=repeatable
                    )
                pause = schedule.next_pause(exc, time.monotonic())
                if pause is None:
                    self._raise_located(exc)
                time.sleep(pause)

    def _run(self, call: Call[T]) -> T:
        """Run a prepared call (see `reqless._calls`) and read its reply."""
        try:
            reply = self(call.command, *call.args, repeatable=call.repeatable,
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

    def _raise_explained(self, exc: Exception) -> None:
        """Raise a ServerAccessError when `exc` shows a password or TLS problem."""
        error = explain(exc, self._url, password=has_password(self._url, self._kwargs))
        if error is not None:
            raise error from exc

    def _raise_located(self, exc: Exception) -> NoReturn:
        error = located(exc, self._where())
        if error is exc:
            raise exc
        raise error from exc

    @property
    def node(self) -> Redis:
        """The server that runs this client's core calls: the one server, the
        current Sentinel primary, or in a cluster the primary of the namespace's
        slot (for INFO and other per-server reads)."""
        self._runner.ready()
        return self._runner.redis

    def after_fork(self) -> None:
        """In a forked child: drop the connections inherited from the parent, so
        that the two never share a socket (a cluster's, to every node)."""
        pool = getattr(self._database, "connection_pool", None)
        if pool is not None:
            pool.reset()
            return
        for node in self._database.get_nodes():
            if node.redis_connection is not None:
                node.redis_connection.connection_pool.reset()

    @property
    def database(self) -> Redis:
        """The underlying `redis.Redis` connection (for a cluster URL, redis-py's
        `RedisCluster`, which routes each command by its key)."""
        database: Redis = self._database
        return database

    @property
    def config(self) -> Config:
        """The server's configuration, as a mutable mapping."""
        return self._config

    @property
    def jobs(self) -> Jobs:
        """Jobs across queues: lookup by jid, completed, tracked, tagged, failed."""
        return self._jobs

    @property
    def queues(self) -> Queues:
        """Queues by name, and the counts of every known queue."""
        return self._queues

    @property
    def throttles(self) -> Throttles:
        """Throttles by name."""
        return self._throttles

    @property
    def workers(self) -> Workers:
        """Workers known to the server and the jobs each one holds."""
        return self._workers

    @property
    def batches(self) -> Batches:
        """Batches by id (`client.batches[bid]`) and `list()` (docs/batches.md)."""
        return self._batches

    def batch(
        self, on_success: Any = None, on_complete: Any = None, *, id: str | None = None
    ) -> BatchContext:
        """Open a batch: `with client.batch(on_success=(Klass, data, queue)) as batch:
        batch.put(queue, Klass, data)` (docs/batches.md).

        Each callback is `(klass, data, queue)` or `(klass, data, queue, priority)`:
        the job put when every job has finished (`on_complete`), or has completed
        (`on_success`); `klass` is a module-level class (or its dotted path) and
        `data` a dict. The batch is closed when the block exits, also when it
        raises (the jobs put by then run). `id` defaults to a random one. Bad
        arguments raise ArgumentError here, before anything is written.
        """
        return BatchContext(self, on_success, on_complete, id)

    @cached_property
    def queue_patterns(self) -> QueuePatterns:
        """Stored queue identifier and priority patterns (used by workers)."""
        from reqless.queue_patterns import QueuePatterns

        return QueuePatterns(self)

    @cached_property
    def events(self) -> Events:
        """Pubsub events of tracked jobs (created on first use)."""
        from reqless.events import Events

        return Events(self._database, self.retry_window, self.keys)

    def track(self, jid: str) -> bool:
        """Track a job; True when it was not tracked before."""
        return self._run(job_calls.track(jid))

    def untrack(self, jid: str) -> bool:
        """Stop tracking a job; True when it was tracked."""
        return self._run(job_calls.untrack(jid))

    def tags(self, offset: int = 0, count: int = defaults.TAGS_COUNT) -> list[str]:
        """The most used tags (carried by at least two jobs), most used first."""
        return self._run(server_calls.tags(offset, count))

    def unfail(self, group: str, queue: str, count: int = defaults.UNFAIL_COUNT) -> int:
        """Move up to `count` jobs of failure group `group` back into `queue`."""
        return self._run(server_calls.unfail(group, queue, count))
