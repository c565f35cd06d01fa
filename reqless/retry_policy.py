"""When a core command that met a connection error is sent again, and when not.

Sans-I/O: `RetrySchedule` says how long to wait before the next attempt, or that
it is time to give up; `reqless.Client` sleeps with `time.sleep` and
`reqless.aio.AsyncClient` with `asyncio.sleep`, and that is their only difference.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.sentinel import MasterNotFoundError

from reqless import defaults
from reqless.exceptions import NotRunError
from reqless.logger import logger

__all__ = [
    "RetrySchedule",
    "has_password",
    "located",
    "may_retry",
    "never_sent",
]


def never_sent(exc: Exception) -> bool:
    """Whether a connection error shows the command never reached the server."""
    # redis-py says "Error 111 connecting to host:port" or "Timeout connecting to
    # server" when the connection could not be made; a pooled connection the server
    # closed is replaced before use, so other errors mean the command may have run.
    # Sentinel's client raises MasterNotFoundError before sending anything, while
    # no primary is known (during a failover).
    return isinstance(exc, NotRunError | MasterNotFoundError) or "connecting" in str(exc)


def may_retry(repeatable: bool, exc: Exception, left: float) -> bool:
    """Whether a command that failed with connection error `exc` is sent again with
    `left` seconds of the retry window remaining.

    A `repeatable` command (its `Call` says so: a read, or a write that leaves the same
    state when run twice) is sent again whatever the error; any other (pop, complete,
    fail, retry, cancel, ...) only when the error shows it never left, that is the
    connection could not be made.
    """
    return left > 0 and (repeatable or never_sent(exc))


class RetrySchedule:
    """The pauses between the attempts of one command, and when to give up.

    Made when the command is first sent (`started` is `time.monotonic()` then).
    After each connection error or time-out, `next_pause(exc, now)` gives the
    seconds to wait before sending again: `defaults.RETRY_BACKOFF_BASE`, doubling up
    to `defaults.RETRY_BACKOFF_CAP`, never past the end of the `window`; or None
    when the command must not be sent again (see `may_retry`): raise the error.
    `repeatable` comes from the command's `Call` (`reqless._calls`).
    """

    def __init__(self, command: str, window: float, started: float, *, repeatable: bool) -> None:
        self.command = command
        self.repeatable = repeatable
        self.deadline = started + window
        #: Pauses handed out so far.
        self.attempts = 0
        self._pause = defaults.RETRY_BACKOFF_BASE

    def next_pause(self, exc: Exception, now: float) -> float | None:
        """Seconds to wait before sending the command again, or None: give up."""
        left = self.deadline - now
        if not may_retry(self.repeatable, exc, left):
            return None
        if self.attempts == 0:
            # Once per command: a server restart would otherwise flood the log.
            logger.warning("%s: %s; trying again for up to %.1fs", self.command, exc, left)
        self.attempts += 1
        pause = min(self._pause, left)
        self._pause = min(self._pause * 2, defaults.RETRY_BACKOFF_CAP)
        return pause


def has_password(url: str, kwargs: dict[str, Any]) -> bool:
    """Whether a password was given, in the URL or as the `password` option."""
    return urlsplit(url).password is not None or bool(kwargs.get("password"))


def located(exc: Exception, where: str) -> Exception:
    """The error to raise for `exc`: a connect time-out says where it tried to connect."""
    # redis-py's time-out message does not say where it tried to connect.
    if isinstance(exc, RedisTimeoutError) and "connecting" in str(exc):
        return RedisConnectionError(f"timed out connecting to {where}")
    return exc
