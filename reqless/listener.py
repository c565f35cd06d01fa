"""A pubsub listener that can be stopped from another thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, TypedDict

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless import defaults
from reqless.exceptions import ReqlessError
from reqless.future import Future
from reqless.logger import logger

__all__ = ["Listener", "Message", "MessageKinds", "message_kinds"]


class Message(TypedDict):
    """One pubsub message as redis-py delivers it."""

    type: str
    pattern: str | None
    channel: str
    data: Any


@dataclass(frozen=True, slots=True)
class MessageKinds:
    """The `type` redis-py gives a subscription's confirmations and messages."""

    confirmation: str
    message: str


_PLAIN = MessageKinds("subscribe", "message")
_SHARDED = MessageKinds("ssubscribe", "smessage")


def message_kinds(sharded: bool) -> MessageKinds:
    """The message types of plain (SUBSCRIBE) or sharded (SSUBSCRIBE) channels."""
    return _SHARDED if sharded else _PLAIN


class Listener:
    """Subscribes to `channels` and yields their messages until `unlisten()` is called.

    The pubsub connection is used only by the thread iterating `listen()`: it waits
    for messages with a short timeout and checks between waits whether it was
    stopped, so `unlisten()` (from any thread) takes effect within
    `defaults.LISTENER_POLL_INTERVAL` seconds without sharing the connection.

    With `resubscribe=True`, a lost connection (a server restart, a network blip)
    does not end `listen()`: it subscribes again, with backoff, until it is stopped;
    messages published while it was not subscribed are not seen. `last_error` is
    the latest connection error. Without it, the error ends `listen()`.

    With `sharded=True` the channels are sharded ones (SSUBSCRIBE), as the core
    publishes a namespace's events (`KeySpace.sharded`); messages look the same.
    """

    def __init__(
        self,
        database: Redis,
        channels: list[str],
        *,
        resubscribe: bool = False,
        sharded: bool = False,
    ) -> None:
        if not channels:
            raise ReqlessError("a listener needs at least one channel")
        self._pubsub = database.pubsub()
        self._resubscribe = resubscribe
        #: Whether the channels are sharded (SSUBSCRIBE, "smessage").
        self.sharded = sharded
        self._kinds = message_kinds(sharded)
        #: The latest connection error met while listening (None: none yet).
        self.last_error: Exception | None = None
        self._subscribed = False
        self._channels = list(channels)
        self._lock = threading.RLock()
        self._started: Future[bool] = Future()
        self._active = False
        #: True from the start of `listen()` until it is stopped.
        self.is_listening = False

    def __repr__(self) -> str:
        sharded = " sharded" if self.sharded else ""
        return f"<reqless.Listener{sharded} {self._channels} listening={self.is_listening}>"

    @property
    def channels(self) -> list[str]:
        """The channels this listener subscribes to."""
        return list(self._channels)

    def listen(self) -> Generator[Message, None, None]:
        """Subscribe, then yield each message (not confirmations) until stopped.

        Raises ReqlessError when this listener is already listening, or still
        finishing a previous `listen()`.
        """
        with self._lock:
            if self._active:
                raise ReqlessError("this listener is already listening")
            self._active = True
            self.is_listening = True
            started = self._started
        try:
            pause = defaults.RETRY_BACKOFF_BASE
            while self.is_listening:
                self._subscribed = False
                try:
                    yield from self._session(started)
                except (RedisConnectionError, RedisTimeoutError) as exc:
                    if not self._resubscribe:
                        raise
                    self.last_error = exc
                    logger.warning("subscription to %s lost: %s; subscribing again",
                                   ", ".join(self._channels), exc)  # fmt: skip
                    self._pubsub.reset()
                    # The backoff grows over failed attempts, not over the lifetime.
                    pause = self._sleep(defaults.RETRY_BACKOFF_BASE if self._subscribed else pause)
        finally:
            self.unlisten()
            # Disconnecting drops the subscriptions; the next listen() reconnects.
            self._pubsub.reset()
            with self._lock:
                self._active = False

    def _session(self, started: Future[bool]) -> Generator[Message, None, None]:
        """Subscribe, then yield messages until stopped or the connection fails."""
        backlog = self._subscribe()
        self._subscribed = True
        with self._lock:
            if not started.done():
                started.set_result(True)
        for message in backlog:
            if not self.is_listening:
                return
            yield message
        while self.is_listening:
            received = self._next()
            if received is not None and received["type"] == self._kinds.message:
                yield received

    def _next(self) -> Message | None:
        """The next message or confirmation, waiting at most one poll interval."""
        get = self._pubsub.get_sharded_message if self.sharded else self._pubsub.get_message
        found: Message | None = get(timeout=defaults.LISTENER_POLL_INTERVAL)
        return found

    def _sleep(self, seconds: float) -> float:
        """Wait `seconds` unless stopped first; returns the next, doubled, pause."""
        end = time.monotonic() + seconds
        while self.is_listening and time.monotonic() < end:
            time.sleep(min(defaults.LISTENER_POLL_INTERVAL, seconds))
        return min(seconds * 2, defaults.RETRY_BACKOFF_CAP)

    def _subscribe(self) -> list[Message]:
        """Subscribe and wait for every confirmation; returns messages that came first."""
        if self.sharded:
            self._pubsub.ssubscribe(*self._channels)
        else:
            self._pubsub.subscribe(*self._channels)
        pending = set(self._channels)
        backlog: list[Message] = []
        while pending and self.is_listening:
            message = self._next()
            if message is None:
                continue
            if message["type"] == self._kinds.confirmation:
                pending.discard(message["channel"])
            elif message["type"] == self._kinds.message:
                backlog.append(message)
        return backlog

    def wait_until_listening(self, timeout: float | None = None) -> bool:
        """Block until the subscription is active; False on timeout or if stopped first."""
        with self._lock:
            started = self._started
        try:
            return started.result(timeout)
        except TimeoutError:
            return False

    def unlisten(self) -> None:
        """Stop listening (the `listen()` loop ends within one poll interval).

        Can be called from any thread, including from the code handling a message.
        Afterwards the listener can be started again.
        """
        with self._lock:
            if not self.is_listening:
                return
            self.is_listening = False
            started, self._started = self._started, Future()
            if not started.done():
                started.set_result(False)
