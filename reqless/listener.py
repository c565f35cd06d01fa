"""A pubsub listener that can be stopped from another thread."""

from __future__ import annotations

import threading
from collections.abc import Generator
from typing import Any, TypedDict

from redis import Redis

from reqless import defaults
from reqless.exceptions import ReqlessError
from reqless.future import Future

__all__ = ["Listener", "Message"]


class Message(TypedDict):
    """One pubsub message as redis-py delivers it."""

    type: str
    pattern: str | None
    channel: str
    data: Any


class Listener:
    """Subscribes to `channels` and yields their messages until `unlisten()` is called.

    The pubsub connection is used only by the thread iterating `listen()`: it waits
    for messages with a short timeout and checks between waits whether it was
    stopped, so `unlisten()` (from any thread) takes effect within
    `defaults.LISTENER_POLL_INTERVAL` seconds without sharing the connection.
    """

    def __init__(self, database: Redis, channels: list[str]) -> None:
        if not channels:
            raise ReqlessError("a listener needs at least one channel")
        self._pubsub = database.pubsub()  # type: ignore[no-untyped-call]
        self._channels = list(channels)
        self._lock = threading.RLock()
        self._started: Future[bool] = Future()
        self._active = False
        #: True from the start of `listen()` until it is stopped.
        self.is_listening = False

    def __repr__(self) -> str:
        return f"<reqless.Listener {self._channels} listening={self.is_listening}>"

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
            backlog = self._subscribe()
            with self._lock:
                if not started.done():
                    started.set_result(True)
            for message in backlog:
                if not self.is_listening:
                    return
                yield message
            while self.is_listening:
                message = self._pubsub.get_message(timeout=defaults.LISTENER_POLL_INTERVAL)
                if message is not None and message["type"] == "message":
                    yield message
        finally:
            self.unlisten()
            # Disconnecting drops the subscriptions; the next listen() reconnects.
            self._pubsub.reset()
            with self._lock:
                self._active = False

    def _subscribe(self) -> list[Message]:
        """Subscribe and wait for every confirmation; returns messages that came first."""
        self._pubsub.subscribe(*self._channels)
        pending = set(self._channels)
        backlog: list[Message] = []
        while pending and self.is_listening:
            message = self._pubsub.get_message(timeout=defaults.LISTENER_POLL_INTERVAL)
            if message is None:
                continue
            if message["type"] == "subscribe":
                pending.discard(message["channel"])
            elif message["type"] == "message":
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
