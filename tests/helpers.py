"""Test helpers: raw script calls, key snapshots and pubsub capture."""

from __future__ import annotations

import json
import time
import unittest.mock
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

import pytest
from redis import Redis

from reqless import _validate
from reqless.core import Arg, CoreError, CoreRunner

__all__ = ["Core", "Events", "snapshot"]


def snapshot(redis: Redis) -> dict[str, Any]:
    """Every key with its type, full content and whether it has a TTL."""
    state: dict[str, Any] = {}
    for key in sorted(redis.keys("*")):
        kind = redis.type(key)
        if kind == "string":
            value: Any = redis.get(key)
        elif kind == "hash":
            value = redis.hgetall(key)
        elif kind == "list":
            value = redis.lrange(key, 0, -1)
        elif kind == "set":
            value = sorted(redis.smembers(key))
        elif kind == "zset":
            value = redis.zrange(key, 0, -1, withscores=True)
        else:
            value = repr(kind)
        state[str(key)] = (kind, value, redis.ttl(key) >= 0)
    return state


class Core:
    """A thin test wrapper over CoreRunner with JSON decoding and failure checks."""

    def __init__(self, runner: CoreRunner, redis: Redis) -> None:
        self.runner = runner
        self.redis = redis

    def __call__(self, command: str, now: float, *args: Arg) -> Any:
        """Run a command at time `now` and return the raw reply."""
        return self.runner.call(command, *args, now=now)

    def json(self, command: str, now: float, *args: Arg) -> Any:
        """Run a command and decode its JSON reply (None stays None)."""
        reply = self(command, now, *args)
        return None if reply is None else json.loads(reply)

    def job(self, jid: str, now: float = 0) -> Any:
        """The job object of `jid` as `job.get` returns it, decoded."""
        return self.json("job.get", now, jid)

    def put(
        self,
        now: float,
        jid: str,
        queue: str = "queue",
        *options: Arg,
        delay: float = 0,
        data: str = "{}",
        worker: str = "worker",
        klass: str = "klass",
    ) -> str:
        """queue.put with the usual defaults."""
        reply: str = self("queue.put", now, worker, queue, jid, klass, data, delay, *options)
        return reply

    def pop(
        self, now: float, queue: str = "queue", worker: str = "worker", limit: int = 1
    ) -> list[Any]:
        """queue.pop, decoded."""
        result: list[Any] = self.json("queue.pop", now, queue, worker, limit)
        return result

    def fails(self, command: str, now: float, *args: Arg, match: str) -> CoreError:
        """Assert the command raises an error containing `match` and changes nothing."""
        before = snapshot(self.redis)
        with pytest.raises(CoreError) as info:
            self(command, now, *args)
        assert match in str(info.value), str(info.value)
        assert snapshot(self.redis) == before, f"{command} wrote before failing"
        return info.value


class Events:
    """Collects every message published on `ql:*` while active."""

    def __init__(self, redis: Redis) -> None:
        self.pubsub = redis.pubsub()
        self.pubsub.psubscribe("ql:*")
        # Wait for the subscription to be confirmed before anything is published.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            message = self.pubsub.get_message(timeout=0.1)
            if message and message["type"] == "psubscribe":
                break

    def drain(self, settle: float = 0.05) -> list[tuple[str, str]]:
        """All (channel, payload) pairs received so far, in order."""
        out: list[tuple[str, str]] = []
        while True:
            message = self.pubsub.get_message(timeout=settle)
            if message is None:
                return out
            if message["type"] == "pmessage":
                out.append((message["channel"], message["data"]))

    def close(self) -> None:
        """Unsubscribe and release the connection."""
        self.pubsub.close()


@contextmanager
def events(redis: Redis) -> Iterator[Events]:
    """Capture pubsub messages published inside the block."""
    capture = Events(redis)
    try:
        yield capture
    finally:
        capture.close()


def read_command(stream: BinaryIO) -> list[bytes] | None:
    """One RESP command read from `stream` (upper-cased words), None at its end.

    For the small stand-in servers of tests that must misbehave in ways a real
    server cannot be made to.
    """
    header = stream.readline()
    if not header.startswith(b"*"):
        return None
    words = []
    for _ in range(int(header[1:])):
        size = int(stream.readline()[1:])
        words.append(stream.read(size + 2)[:-2].upper())
    return words


@contextmanager
def any_class_name() -> Iterator[None]:
    """Let this client put a job class no Python worker could hold.

    Our client refuses such names at put, but a client in another language stores
    whatever it is given, and the pages must show it safely: tests of hostile
    values put them as that client would.
    """
    with unittest.mock.patch.object(_validate, "_path_problem", lambda path: None):
        yield
