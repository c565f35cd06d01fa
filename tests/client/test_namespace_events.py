"""Events in a namespace: the core publishes them sharded (SPUBLISH), and a
namespaced client's listeners, sync and asyncio, subscribe with SSUBSCRIBE."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from redis.asyncio.client import PubSub as AsyncPubSub

from reqless.aio.client import AsyncClient
from reqless.aio.listener import AsyncListener
from reqless.client import Client
from reqless.exceptions import ReqlessError
from reqless.listener import Listener
from reqless.server import LocalServer


@pytest.fixture
def orders(server: LocalServer, redis: Redis) -> Iterator[Client]:
    """A client of namespace `orders` on the flushed server."""
    client = Client(server.url, namespace="orders")
    yield client
    client.database.close()


def test_a_namespaced_clients_events_reach_its_callbacks(
    orders: Client, server: LocalServer
) -> None:
    seen: list[tuple[str, str]] = []
    done = threading.Event()
    plain = Client(server.url)
    try:
        events = orders.events
        assert events.listener.sharded and events.channels[0].startswith("ql:{orders}:")

        def on_completed(jid: str) -> None:
            seen.append(("completed", jid))
            done.set()

        events.on("completed", on_completed)
        events.on("popped", lambda jid: seen.append(("popped", jid)))
        plain.events.on("put", lambda jid: seen.append(("plain", jid)))
        with events.thread(), plain.events.thread():
            jid = orders.queues["q"].put("app.Job", {}, jid="j1")
            orders.track(jid)
            job = orders.queues["q"].pop()
            assert job is not None
            job.complete()
            assert done.wait(5)
        assert ("popped", "j1") in seen and ("completed", "j1") in seen
        assert not [entry for entry in seen if entry[0] == "plain"]  # no other space's events
    finally:
        plain.database.close()


def test_a_sharded_listener_hears_only_sharded_messages(redis: Redis) -> None:
    listener = Listener(redis, ["ql:{x}:log"], sharded=True)
    got: list[str] = []

    def listen() -> None:
        for message in listener.listen():
            got.append(message["data"])
            listener.unlisten()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert listener.wait_until_listening(5)
    redis.publish("ql:{x}:log", "plain")  # not heard: another kind of channel
    redis.execute_command("SPUBLISH", "ql:{x}:log", "sharded")  # type: ignore[no-untyped-call]
    thread.join(5)
    assert got == ["sharded"]
    assert "sharded" in repr(listener)


OLD_ASYNC_PUBSUB = not hasattr(AsyncPubSub, "ssubscribe")  # redis-py before 8.0


@pytest.mark.skipif(OLD_ASYNC_PUBSUB, reason="asyncio sharded pub/sub needs redis-py 8.0")
def test_an_async_namespaced_clients_events_reach_its_callbacks(
    server: LocalServer, redis: Redis
) -> None:
    # `redis` flushes the database: another test of this process may have left `j1`.
    async def scenario() -> list[tuple[str, str]]:
        seen: list[tuple[str, str]] = []
        client = AsyncClient(server.url, namespace="orders")
        try:
            events = client.events
            assert events.listener.sharded
            events.on("put", lambda jid: seen.append(("put", jid)))
            events.on("completed", lambda jid: seen.append(("completed", jid)))
            async with events.listening():
                await client.queues["q"].put("app.Job", {}, jid="j1")
                await client.track("j1")
                job = await client.queues["q"].pop()
                assert job is not None
                await job.complete()
                for _ in range(500):
                    if ("completed", "j1") in seen:
                        break
                    await asyncio.sleep(0.01)
        finally:
            await client.aclose()
        return seen

    assert ("completed", "j1") in asyncio.run(scenario())


@pytest.mark.skipif(not OLD_ASYNC_PUBSUB, reason="redis-py has asyncio sharded pub/sub")
def test_without_asyncio_sharded_pubsub_a_namespaced_listener_says_what_to_do(
    server: LocalServer,
) -> None:
    async def scenario() -> None:
        listener = AsyncListener(AsyncRedis.from_url(server.url), ["ql:{orders}:log"], sharded=True)
        async for _ in listener.listen():
            break

    with pytest.raises(ReqlessError, match=r"from redis 8\.0 on"):
        asyncio.run(scenario())
