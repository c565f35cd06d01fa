"""Callbacks for the pubsub events the server publishes about tracked jobs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from redis import Redis

from reqless import defaults
from reqless.exceptions import ReqlessError
from reqless.keys import KeySpace
from reqless.listener import Listener
from reqless.logger import logger

__all__ = ["EventCallback", "EventCallbacks", "Events"]

#: A callback receives the event's payload: the jid of the tracked job.
EventCallback = Callable[[str], object]


class EventCallbacks:
    """The callback of each tracked-job event; shared with the asyncio `AsyncEvents`.

    `keys` names the channels: a client's space (`client.keys`), by default the
    shared `ql:` layout's.
    """

    #: Prefix of the event channels of the shared layout (an instance has its own).
    namespace = KeySpace().prefix
    #: The event names; the channel of `evt` is `keys.channel(evt)`.
    events = defaults.TRACKED_EVENTS

    def __init__(self, keys: KeySpace | None = None) -> None:
        #: The space whose channels carry the events (sharded in a namespace).
        self.keys = keys if keys is not None else KeySpace()
        #: Prefix of the event channels.
        self.namespace = self.keys.prefix
        self._callbacks: dict[str, EventCallback | None] = dict.fromkeys(self.events)

    @property
    def channels(self) -> list[str]:
        """The pubsub channels of the events."""
        return [self.keys.channel(evt) for evt in self.events]

    def on(self, evt: str, func: EventCallback | None) -> None:
        """Call `func(jid)` for each `evt` event (None removes the callback).

        Raises NotImplementedError for a name that is not one of `events`.
        """
        if evt not in self._callbacks:
            raise NotImplementedError(
                f"unknown event {evt!r}; known events are {', '.join(self.events)}"
            )
        self._callbacks[evt] = func

    def off(self, evt: str) -> EventCallback | None:
        """Remove the callback of `evt` and return it (None when there was none).

        Unlike the original, the event stays known, so `on(evt, ...)` works again.
        """
        if evt not in self._callbacks:
            return None
        func, self._callbacks[evt] = self._callbacks[evt], None
        return func

    def callback_for(self, channel: str) -> tuple[str, EventCallback | None]:
        """The event of a message's channel, and its callback (None: no callback)."""
        evt = self.keys.channel_event(channel)
        return evt, self._callbacks.get(evt)


class Events(EventCallbacks):
    """Run callbacks for the events of tracked jobs (`client.events`).

    Events: canceled, completed, failed, popped, put, stalled, track, untrack. Only
    jobs that are tracked produce them. Register callbacks with `on`, then either
    call `listen()` (blocks until `unlisten()`) or use `with events.thread():` to
    listen in a background thread.

    A lost connection does not stop the listening: it subscribes again, with
    backoff, until stopped (events published meanwhile are missed). Only the first
    subscription is bounded, by `retry_window` seconds, in `thread()`.
    """

    def __init__(
        self,
        database: Redis,
        retry_window: float = defaults.RETRY_WINDOW,
        keys: KeySpace | None = None,
    ) -> None:
        super().__init__(keys)
        self._listener = Listener(
            database, self.channels, resubscribe=True, sharded=self.keys.sharded
        )
        self.retry_window = retry_window
        self._error: BaseException | None = None

    def __repr__(self) -> str:
        active = sorted(evt for evt, func in self._callbacks.items() if func is not None)
        return f"<reqless.Events callbacks={active} listening={self._listener.is_listening}>"

    @property
    def listener(self) -> Listener:
        """The pubsub listener the events arrive through."""
        return self._listener

    def listen(self) -> None:
        """Run callbacks for incoming events; blocks until `unlisten()` is called.

        A callback that raises is logged and does not stop the listening.
        """
        for message in self._listener.listen():
            evt, func = self.callback_for(message["channel"])
            if func is None:
                continue
            try:
                func(message["data"])
            except Exception:
                # The listener serves every callback: one failing must not end it.
                logger.exception("callback for event %r (jid %s) raised", evt, message["data"])

    def unlisten(self) -> None:
        """Stop `listen()`; callable from any thread or from a callback."""
        self._listener.unlisten()

    def _listen_in_thread(self) -> None:
        try:
            self.listen()
        except Exception as exc:
            logger.exception("the event listener stopped")
            self._error = exc

    @contextmanager
    def thread(self) -> Iterator[Events]:
        """Listen in a background thread for the duration of the `with` block.

        Entering returns once the subscription is active, so events published
        inside the block are seen. Leaving stops the listener and joins the thread.
        Raises ReqlessError on entry when no subscription was made within
        `retry_window` seconds, and on exit when an error other than a lost
        connection (after which it subscribes again) ended the listener early.
        """
        self._error = None
        worker = threading.Thread(target=self._listen_in_thread, name="reqless-events", daemon=True)
        worker.start()
        deadline = time.monotonic() + self.retry_window
        while not self._listener.wait_until_listening(timeout=defaults.LISTENER_POLL_INTERVAL):
            if not worker.is_alive() or time.monotonic() > deadline:
                while worker.is_alive():  # it may not have started listening yet
                    self.unlisten()
                    worker.join(defaults.LISTENER_POLL_INTERVAL)
                cause = self._error or self._listener.last_error
                raise ReqlessError(
                    f"the event listener stopped before subscribing (waited {self.retry_window:g}s)"
                ) from cause
        try:
            yield self
        finally:
            self.unlisten()
            worker.join()
        if self._error is not None:
            raise ReqlessError("the event listener stopped early") from self._error
