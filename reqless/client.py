"""The client: one connection, one worker identity, and the helper collections."""

from __future__ import annotations

import json
import socket
from functools import cached_property
from typing import TYPE_CHECKING, Any

from redis import Redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from reqless import defaults
from reqless.collections import Jobs, Queues, Throttles, Workers
from reqless.config import Config
from reqless.core import Arg, CoreRunner

if TYPE_CHECKING:
    from reqless.events import Events
    from reqless.queue_patterns import QueuePatterns

__all__ = ["Client"]


class Client:
    """A connection to a Redis or Valkey server running the reqless core.

    Args:
        url: any URL `redis.Redis.from_url` accepts: `redis://`, `rediss://` (TLS),
            `unix://`, with password and database number.
        hostname: the worker name this client presents; defaults to the host name.
        **kwargs: passed to `redis.Redis.from_url` (`decode_responses` is forced on).

    The constructor does not contact the server. Connection errors are retried a
    few times with backoff, so a server restart or a network blip is survived;
    after a restart the script is loaded again on first use.
    """

    def __init__(
        self, url: str = defaults.REDIS_URL, hostname: str | None = None, **kwargs: Any
    ) -> None:
        options: dict[str, Any] = {
            "retry": Retry(ExponentialBackoff(cap=1.0, base=0.05), defaults.CONNECTION_RETRIES),
            "retry_on_error": [RedisConnectionError, RedisTimeoutError],
            "socket_connect_timeout": defaults.CONNECT_TIMEOUT,
            **kwargs,
            "decode_responses": True,
        }
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

    def __call__(self, command: str, *args: Arg) -> Any:
        """Run a core command now; returns the raw reply (JSON stays text)."""
        try:
            return self._runner.call(command, *args)
        except RedisTimeoutError as exc:
            if "connecting" not in str(exc):
                raise
            # redis-py's message does not say where it tried to connect.
            raise RedisConnectionError(f"timed out connecting to {self._where()}") from exc

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

        return Events(self._database)

    def track(self, jid: str) -> bool:
        """Track a job; True when it was not tracked before."""
        return bool(self("job.track", jid) == "1")

    def untrack(self, jid: str) -> bool:
        """Stop tracking a job; True when it was tracked."""
        return bool(self("job.untrack", jid) == "1")

    def tags(self, offset: int = 0, count: int = defaults.TAGS_COUNT) -> list[str]:
        """The most used tags (carried by at least two jobs), most used first."""
        result: list[str] = json.loads(self("tags.top", offset, count))
        return result

    def unfail(self, group: str, queue: str, count: int = defaults.UNFAIL_COUNT) -> int:
        """Move up to `count` jobs of failure group `group` back into `queue`."""
        return int(self("queue.unfail", queue, group, count))
