"""Acknowledged core calls: the write, then WAIT / WAITAOF, on one connection.

WAIT and WAITAOF count the writes of the connection they are sent on, so they
must follow the write on its own connection; they are pipelined behind it (one
round trip, plus the time the replicas or disks take). The write goes through
the runner's own pipelined twin, so it is sent exactly as `CoreRunner.call`
sends it, and its errors read the same; a server that does not know the core
yet gets it loaded and the pair sent again, as `CoreRunner.call` does.

Before the first acknowledged write asking for a disk, the server is asked
(INFO) whether it can give it, so that a server without WAITAOF (Redis 7.0)
or without an append-only file refuses before anything is written.
"""

from __future__ import annotations

from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless.core.async_runner import AsyncCoreRunner
from reqless.core.runner import Arg, CoreRunner, core_error, is_missing_function
from reqless.durability import Durability, waitaof_problem
from reqless.exceptions import ArgumentError, ReqlessError
from reqless.util import read_timeout

__all__ = ["Acknowledger", "AsyncAcknowledger", "check_read_timeout", "read_timeout"]


def check_read_timeout(redis: Any, durability: Durability) -> None:
    """Refuse a durability whose waits would outlast the connection's socket timeout:
    the reply would then be lost, and the write look like a connection error."""
    limit = read_timeout(redis)
    if limit is not None and durability.longest_wait >= limit:
        raise ArgumentError(
            f"durability waits up to {durability.longest_wait} s, which the connection's "
            f"socket_timeout of {limit} s cuts short: lower Durability.timeout, or pass "
            "a larger socket_timeout"
        )


def _reload_needed(reply: Any, first: bool) -> bool:
    """Whether the write failed only because the server does not know the core yet."""
    if not first or not isinstance(reply, ResponseError):
        return False
    return isinstance(reply, NoScriptError) or is_missing_function(reply)


class Acknowledger:
    """Runs the calls a client acknowledges through `runner`, waiting as `durability` says."""

    def __init__(self, runner: CoreRunner, durability: Durability) -> None:
        check_read_timeout(runner.redis, durability)
        self.runner = runner
        self.durability = durability
        self._checked = not durability.uses_waitaof

    def call(self, command: str, *args: Arg, now: float | None = None) -> Any:
        """Run `command`, then wait; returns its reply, or raises DurabilityError
        (carrying the reply) when the wait fell short."""
        runner = self.runner
        if not self._checked:
            self._check()
        now = runner.clock() if now is None else now
        for first in (True, False):
            runner.ready()  # in a cluster, on the slot's primary of now
            pipeline = runner.redis.pipeline(transaction=False)
            try:
                pipelined = runner.pipelined(pipeline)
                pipelined.mode = runner.mode
                pipelined.call(command, *args, now=now)
                buffer: Any = pipeline  # redis-py leaves execute_command untyped
                for parts in self.durability.wait_commands():
                    buffer.execute_command(*parts)
                reply, *waits = pipeline.execute(raise_on_error=False)
            except (RedisConnectionError, RedisTimeoutError) as exc:
                error = runner.failure(exc)
                if error is exc:
                    raise
                raise error from exc
            finally:
                pipeline.reset()
            if not _reload_needed(reply, first):
                break
            if isinstance(reply, NoScriptError):
                runner.load_script()
            else:
                runner.load()
        if isinstance(reply, ResponseError):
            raise runner.failure(reply) from reply
        self.durability.check(command, reply, waits)
        return reply

    def _check(self) -> None:
        info = {**self.runner.redis.info("server"), **self.runner.redis.info("persistence")}
        problem = waitaof_problem(self.durability, info)
        if problem is not None:
            raise ReqlessError(problem)
        self._checked = True


class AsyncAcknowledger:
    """The asyncio twin of `Acknowledger`."""

    def __init__(self, runner: AsyncCoreRunner, durability: Durability) -> None:
        if runner.clustered:
            raise ReqlessError(
                "durable acknowledgement on a cluster is not offered by the asyncio client "
                "(WAIT must follow the write on the same node's connection): use reqless.Client"
            )
        check_read_timeout(runner.redis, durability)
        self.runner = runner
        self.durability = durability
        self._checked = not durability.uses_waitaof

    async def call(self, command: str, *args: Arg, now: float | None = None) -> Any:
        """Run `command`, then wait; returns its reply, or raises DurabilityError
        (carrying the reply) when the wait fell short."""
        runner = self.runner
        if not self._checked:
            await self._check()
        now = runner.clock() if now is None else now
        for first in (True, False):
            pipeline = runner.redis.pipeline(transaction=False)
            buffer: Any = pipeline  # redis-py leaves execute_command and reset untyped
            try:
                pipelined = runner.pipelined(pipeline)
                pipelined.mode = runner.mode
                await pipelined.call(command, *args, now=now)
                for parts in self.durability.wait_commands():
                    buffer.execute_command(*parts)
                reply, *waits = await pipeline.execute(raise_on_error=False)
            finally:
                await buffer.reset()  # redis-py leaves it untyped
            if not _reload_needed(reply, first):
                break
            if isinstance(reply, NoScriptError):
                await runner.load_script()
            else:
                await runner.load()
        if isinstance(reply, ResponseError):
            raise core_error(runner.script, reply) from reply
        self.durability.check(command, reply, waits)
        return reply

    async def _check(self) -> None:
        redis = self.runner.redis
        info = {**await redis.info("server"), **await redis.info("persistence")}
        problem = waitaof_problem(self.durability, info)
        if problem is not None:
            raise ReqlessError(problem)
        self._checked = True
