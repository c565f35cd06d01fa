"""The client: one connection, one worker identity, and the helper collections."""

from __future__ import annotations

import socket
import time
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
from reqless.collections import Jobs, Queues, Throttles, Workers
from reqless.config import Config
from reqless.core import Arg, CoreRunner
from reqless.exceptions import ReqlessError
from reqless.retry_policy import RetrySchedule, has_password, located, may_retry, never_sent
from reqless.server_access import explain

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
            `unix://`, with password and database number.
        hostname: the worker name this client presents; defaults to the host name.
        retry_window: seconds during which a call that hit a connection error or a
            time-out is tried again, with backoff (0: never).
        max_data_bytes: the largest job data (encoded, in bytes) a put, requeue or
            recurring job sends; larger data raises ReqlessError before anything is
            sent (default `defaults.MAX_DATA_BYTES`, 64 MiB; None: no limit).
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
        self.retry_window = float(_validate.number("retry_window", retry_window, minimum=0))
        #: Largest job data (bytes, encoded) that puts, requeues and recurring jobs
        #: send; more is refused before sending. None: no limit.
        self.max_data_bytes = _validate.data_limit(max_data_bytes)
        # Kept so that an asyncio twin can connect alike (AsyncClient.from_client).
        self._url = url
        self._kwargs = dict(kwargs)
        self._database: Redis = Redis.from_url(url, **options)
        self._runner = CoreRunner(self._database)
        self.worker_name: str = hostname or socket.gethostname()
        self._config = Config(self)
        self._jobs = Jobs(self)
        self._queues = Queues(self)
        self._throttles = Throttles(self)
        self._workers = Workers(self)

    def __repr__(self) -> str:
        db = self._database.connection_pool.connection_kwargs.get("db", 0)
        return f"<reqless.Client {self._where()} db={db} worker={self.worker_name!r}>"

    def _where(self) -> str:
        kwargs = self._database.connection_pool.connection_kwargs
        return str(kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}")

    def __call__(self, command: str, *args: Arg, repeatable: bool = False) -> Any:
        """Run a core command now; returns the raw reply (JSON stays text).

        Connection errors and time-outs are retried with backoff for `retry_window`
        seconds when the command never reached the server, or, if `repeatable`
        (it is safe to run twice: a prepared `Call` says so), whenever it failed.
        """
        started = time.monotonic()
        schedule = None  # made on the first error: most calls need none
        while True:
            try:
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
            reply = self(call.command, *call.args, repeatable=call.repeatable)
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
    def database(self) -> Redis:
        """The underlying `redis.Redis` connection."""
        return self._database

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

    @cached_property
    def queue_patterns(self) -> QueuePatterns:
        """Stored queue identifier and priority patterns (used by workers)."""
        from reqless.queue_patterns import QueuePatterns

        return QueuePatterns(self)

    @cached_property
    def events(self) -> Events:
        """Pubsub events of tracked jobs (created on first use)."""
        from reqless.events import Events

        return Events(self._database, self.retry_window)

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
