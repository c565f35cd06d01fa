"""The asyncio core runner: the same protocol and errors as `CoreRunner`."""

from __future__ import annotations

import asyncio
import json

import pytest
import redis.asyncio
from redis import Redis

from reqless.core import CoreError, CoreRunner
from reqless.core.async_runner import AsyncCoreRunner
from reqless.server import LocalServer


def _async_redis(server: LocalServer) -> redis.asyncio.Redis:
    return redis.asyncio.Redis.from_url(server.url, decode_responses=True)


@pytest.mark.parametrize("mode", ["function", "script"])
def test_loads_the_core_by_itself_and_runs_commands(
    server: LocalServer, redis: Redis, mode: str
) -> None:
    async def scenario() -> None:
        connection = _async_redis(server)
        try:
            runner = AsyncCoreRunner(connection, mode=mode)  # type: ignore[arg-type]
            await runner.call("queue.put", "w", "q", "jid", "K", "{}", 0, now=100)
            assert json.loads(await runner.call("queue.peek", "q", 0, 1))[0]["jid"] == "jid"
            # Flushed behind its back: it loads the core again by itself.
            await connection.function_flush()
            await connection.script_flush()
            assert int(await runner.call("queue.length", "q")) == 1
        finally:
            await connection.aclose()

    asyncio.run(scenario())


def test_errors_read_as_the_sync_runner_reads_them(server: LocalServer, redis: Redis) -> None:
    args = ("queue.put", "w", "q", "jid", "K", "{}", "soon")
    with pytest.raises(CoreError) as sync_error:
        CoreRunner(redis).call(*args, now=1)

    async def scenario() -> CoreError:
        connection = _async_redis(server)
        try:
            with pytest.raises(CoreError) as caught:
                await AsyncCoreRunner(connection).call(*args, now=1)
            return caught.value
        finally:
            await connection.aclose()

    async_error = asyncio.run(scenario())
    assert str(async_error) == str(sync_error.value)
    assert async_error.location == sync_error.value.location
