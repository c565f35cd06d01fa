"""The asyncio client rides out a server restart as the sync client does, and
repeats only what is safe to repeat."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from reqless.aio import AsyncClient
from reqless.server import LocalServer, free_port
from tests.client.test_reconnect import DroppingServer, Restartable

KLASS = "tests.aio.jobs.Noop"


@pytest.fixture
def restartable(server: LocalServer, tmp_path: Path) -> Iterator[Restartable]:
    made = Restartable(server.kind, tmp_path)
    yield made
    made.stop()


@pytest.fixture
def dropping() -> Iterator[DroppingServer]:
    made = DroppingServer()
    yield made
    made.close()


@pytest.mark.slow
def test_a_put_and_a_listener_wait_out_a_restart(restartable: Restartable) -> None:
    async def scenario() -> None:
        async with AsyncClient(restartable.url, hostname="restart") as client:
            seen: list[str] = []
            client.events.on("put", seen.append)
            jid = await client.queues["q"].put(KLASS, {})
            await client.track(jid)
            async with client.events.listening():
                restartable.stop()
                late = asyncio.create_task(client.queues["q"].put(KLASS, {"late": True}))
                await asyncio.sleep(1.5)
                assert not late.done()  # still retrying, not failed
                await asyncio.to_thread(restartable.start)
                late_jid = await asyncio.wait_for(late, 30)
                assert (await client.jobs.get_job(late_jid)).data == '{"late": true}'
                deadline = time.monotonic() + 20
                while not seen:
                    # Published events reach only subscribers: put until it resubscribed.
                    await client.queues["q"].put(KLASS, {}, jid=jid, replace=True)
                    await asyncio.sleep(0.2)
                    assert time.monotonic() < deadline, "no event after the restart"
            assert seen[0] == jid

    asyncio.run(scenario())


def test_the_window_bounds_the_wait() -> None:
    async def scenario() -> None:
        async with AsyncClient(f"redis://127.0.0.1:{free_port()}", retry_window=1.0) as client:
            started = time.monotonic()
            with pytest.raises(RedisConnectionError):
                await client.queues["q"].put(KLASS, {})
            assert 0.9 <= time.monotonic() - started < 8

    asyncio.run(scenario())


def test_a_pop_is_not_sent_twice(dropping: DroppingServer) -> None:
    async def scenario() -> None:
        async with AsyncClient(f"redis://127.0.0.1:{dropping.port}", retry_window=1.0) as client:
            with pytest.raises(RedisConnectionError):
                await client.queues["q"].pop()

    asyncio.run(scenario())
    assert dropping.core_calls == 1


@pytest.mark.parametrize(
    "call",
    [lambda c: c.jobs.find("x"), lambda c: c.queues["q"].put(KLASS, {})],
    ids=["job-get", "put"],
)
def test_safe_commands_are_sent_again(dropping: DroppingServer, call: Any) -> None:
    async def scenario() -> None:
        async with AsyncClient(f"redis://127.0.0.1:{dropping.port}", retry_window=1.0) as client:
            with pytest.raises(RedisConnectionError):
                await call(client)

    asyncio.run(scenario())
    assert dropping.core_calls > 1
