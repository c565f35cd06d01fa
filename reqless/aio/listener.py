"""An asyncio pubsub listener that another task can stop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import redis
from redis.asyncio import Redis
from redis.asyncio.client import PubSub as AsyncPubSub
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless import defaults
from reqless.exceptions import ReqlessError
from reqless.listener import Message, message_kinds
from reqless.logger import logger

__all__ = ["AsyncListener"]


class AsyncListener:
    """Subscribes to `channels` and yields their messages until `unlisten()`.

    The asyncio twin of `reqless.listener.Listener`: `async for message in
    listener.listen()`. With `resubscribe=True` a lost connection does not end
    the iteration: it subscribes again, with backoff, until stopped (messages
    published meanwhile are missed); `last_error` is the latest such error.
    With `sharded=True` the channels are sharded ones (SSUBSCRIBE), as the core
    publishes a namespace's events (`KeySpace.sharded`).
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
        #: Whether the channels are sharded (SSUBSCRIBE, "smessage").
        self.sharded = sharded
        self._kind = message_kinds(sharded).message
        self._database = database
        self._channels = list(channels)
        self._resubscribe = resubscribe
        #: The latest connection error met while listening (None: none yet).
        self.last_error: Exception | None = None
        self._listening = asyncio.Event()
        #: True from the start of `listen()` until it is stopped.
        self.is_listening = False

    def __repr__(self) -> str:
        return f"<reqless.aio.AsyncListener {self._channels} listening={self.is_listening}>"

    @property
    def channels(self) -> list[str]:
        """The channels this listener subscribes to."""
        return list(self._channels)

    async def listen(self) -> AsyncIterator[Message]:
        """Subscribe, then yield each message (not confirmations) until stopped."""
        if self.is_listening:
            raise ReqlessError("this listener is already listening")
        if self.sharded and not hasattr(AsyncPubSub, "ssubscribe"):
            raise ReqlessError(
                "the events of a namespace are sharded pub/sub, which redis-py's asyncio "
                f"client offers from redis 8.0 on (this is redis {redis.__version__}): "
                "upgrade redis, or listen with reqless.Client"
            )
        self.is_listening = True
        pause = defaults.RETRY_BACKOFF_BASE
        try:
            while self.is_listening:
                pubsub = self._database.pubsub()
                try:
                    if self.sharded:
                        await pubsub.ssubscribe(*self._channels)
                    else:
                        await pubsub.subscribe(*self._channels)
                    get = pubsub.get_sharded_message if self.sharded else pubsub.get_message
                    self._listening.set()
                    pause = defaults.RETRY_BACKOFF_BASE
                    while self.is_listening:
                        message = await get(
                            ignore_subscribe_messages=True,
                            timeout=defaults.LISTENER_POLL_INTERVAL,
                        )
                        if message is not None and message["type"] == self._kind:
                            yield Message(
                                type=message["type"], pattern=message.get("pattern"),
                                channel=message["channel"], data=message["data"],
                            )  # fmt: skip
                except (RedisConnectionError, RedisTimeoutError) as exc:
                    if not self._resubscribe:
                        raise
                    self.last_error = exc
                    self._listening.clear()
                    logger.warning("subscription to %s lost: %s; subscribing again",
                                   ", ".join(self._channels), exc)  # fmt: skip
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, defaults.RETRY_BACKOFF_CAP)
                finally:
                    await pubsub.aclose()
        finally:
            self.is_listening = False
            self._listening.clear()

    async def wait_until_listening(self, timeout: float | None = None) -> bool:
        """Wait until the subscription is active; False on timeout."""
        try:
            await asyncio.wait_for(self._listening.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def unlisten(self) -> None:
        """Stop listening (the iteration ends within one poll interval)."""
        self.is_listening = False
