"""Callbacks for the events of tracked jobs, for the asyncio client."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from reqless.aio.listener import AsyncListener
from reqless.events import EventCallbacks
from reqless.exceptions import ReqlessError
from reqless.keys import KeySpace
from reqless.logger import logger

__all__ = ["AsyncEvents"]


class AsyncEvents(EventCallbacks):
    """Run callbacks for the events of tracked jobs (`client.events`).

    The asyncio twin of `reqless.Events`: the same `on`/`off` (a callback may be
    a plain function or an `async def`, which is awaited), then either
    `await events.listen()` (until `unlisten()`) or `async with events.listening():`
    to listen in a background task. A lost connection is survived by subscribing
    again.
    """

    def __init__(self, database: Redis, keys: KeySpace | None = None) -> None:
        super().__init__(keys)
        self._listener = AsyncListener(
            database, self.channels, resubscribe=True, sharded=self.keys.sharded
        )

    def __repr__(self) -> str:
        active = sorted(evt for evt, func in self._callbacks.items() if func is not None)
        listening = self._listener.is_listening
        return f"<reqless.aio.AsyncEvents callbacks={active} listening={listening}>"

    @property
    def listener(self) -> AsyncListener:
        """The pubsub listener the events arrive through."""
        return self._listener

    async def listen(self) -> None:
        """Run callbacks for incoming events until `unlisten()` is called.

        A callback that raises is logged and does not stop the listening.
        """
        async for message in self._listener.listen():
            evt, func = self.callback_for(message["channel"])
            if func is None:
                continue
            try:
                result = func(message["data"])
                if inspect.isawaitable(result):
                    await result
            except Exception:
                # The listener serves every callback: one failing must not end it.
                logger.exception("callback for event %r (jid %s) raised", evt, message["data"])

    def unlisten(self) -> None:
        """Stop `listen()`."""
        self._listener.unlisten()

    @asynccontextmanager
    async def listening(self, timeout: float = 10.0) -> AsyncIterator[AsyncEvents]:
        """Listen in a background task for the duration of the `async with` block.

        Entering returns once the subscription is active (ReqlessError when that
        takes longer than `timeout` seconds); leaving stops the task and waits for it.
        """
        task = asyncio.create_task(self.listen(), name="reqless-events")
        subscribed = asyncio.create_task(self._listener.wait_until_listening(timeout))
        await asyncio.wait({task, subscribed}, return_when=asyncio.FIRST_COMPLETED)
        if not subscribed.done() or not subscribed.result():
            subscribed.cancel()
            self.unlisten()
            task.cancel()
            error = task.exception() if task.done() and not task.cancelled() else None
            raise ReqlessError("the event listener stopped before subscribing") from error
        try:
            yield self
        finally:
            self.unlisten()
            await task
