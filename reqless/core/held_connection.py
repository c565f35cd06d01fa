"""A connection a CoreRunner keeps for its own calls.

redis-py's `execute_command` takes a connection from the pool and gives it back on
every call; with the layers around it, that costs about 27 µs of client CPU per call
(measured: 80 against 53 µs for an FCALL of `config.get`), a sixth of what a worker
spends per job. Keeping one connection (taken from the same pool, so `Redis.close()`
still closes it) avoids it; the cheap part of the pool's check, whether the server
closed the idle connection, is kept.

All runners of one `Redis` share its kept connection. A call that finds it busy
(another thread or greenlet is using it) goes through the pool as before, so
concurrent callers never wait for each other. Any failure other than an error
reply drops the connection, since a reply may be left unread on it; a forked
child takes a connection of its own.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from typing import Any, ClassVar

import hiredis
from redis import Redis
from redis.connection import Connection, HiredisRespSerializer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import DataError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["HeldConnection"]


class HeldConnection:
    """Sends commands on one kept connection of `redis`'s pool.

    Use `HeldConnection.of(redis)`: every runner of one `Redis` shares its one kept
    connection, so making runners never drains the pool.
    """

    _shared: ClassVar[weakref.WeakKeyDictionary[Redis, HeldConnection]] = (
        weakref.WeakKeyDictionary()
    )
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def of(cls, redis: Redis) -> HeldConnection:
        """The kept connection of `redis`, made on first use."""
        with cls._shared_lock:
            held = cls._shared.get(redis)
            if held is None:
                held = cls._shared[redis] = cls(redis)
            return held

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._lock = threading.Lock()
        self._connection: Connection | None = None
        self._pid = 0

    def execute(self, *parts: Any) -> Any:
        """Send one command and read its reply (error replies raise ResponseError)."""
        if not self._lock.acquire(blocking=False):
            through_pool: Callable[..., Any] = self._redis.execute_command
            return through_pool(*parts)
        try:
            connection = self._connection
            if connection is None or self._pid != os.getpid():
                connection = self._redis.connection_pool.get_connection()
                self._connection, self._pid = connection, os.getpid()
            kept: Any = connection  # redis-py leaves these methods untyped
            try:
                if kept._sock is not None and kept.can_read(timeout=0):
                    # Closed by the server while idle (a restart, say), or stray
                    # data: reconnect first, so the command is known to be unsent
                    # if this fails, as the pool's own check does.
                    kept.disconnect()
            except (RedisConnectionError, RedisTimeoutError, OSError):
                kept.disconnect()
            try:
                kept.send_packed_command(_pack(kept, parts))
                return kept.read_response()
            except ResponseError:
                raise
            except BaseException:
                # A time-out, a lost connection or an exception raised into this
                # thread mid-call: the reply may still come, so never reuse it.
                self._connection = None
                kept.disconnect()
                self._redis.connection_pool.release(connection)
                raise
        finally:
            self._lock.release()


def _pack(connection: Any, parts: tuple[Any, ...]) -> Any:
    """`parts` in the wire format, as `connection.send_command` would pack them.

    With hiredis, redis-py's packer first copies the arguments through a
    generator that turns buffers into bytes; a core call has none (its
    arguments are text and numbers), and for a bulk put of 500 jobs that copy
    cost more client time than the rest of the call.
    """
    packer = connection._command_packer
    if type(packer) is HiredisRespSerializer:
        try:
            return (hiredis.pack_command(parts),)
        except TypeError as exc:
            raise DataError(str(exc)) from exc
    return packer.pack(*parts)
