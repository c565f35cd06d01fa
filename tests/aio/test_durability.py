"""Durable acknowledgement through `reqless.aio.AsyncClient`: the same waits as the
sync client's, against a real primary and replica (docs/scale-out.md)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from reqless.aio import AsyncClient
from reqless.aio.job import AsyncJob
from reqless.client import Client
from reqless.durability import Durability
from reqless.exceptions import DurabilityError
from tests.helpers import snapshot
from tests.replication import Pair, calls, fresh, start_pair

SHORT = 0.2  # seconds: the timeout of the waits meant to fall short


@pytest.fixture(scope="module", params=["valkey", "redis"])
def pair(request: pytest.FixtureRequest) -> Iterator[Pair]:
    """A primary and its replica, for the whole module."""
    started = start_pair(request.param)
    yield started
    started.stop()


@pytest.fixture
def fresh_pair(pair: Pair) -> Pair:
    """The pair, emptied, with the primary's command counters at zero."""
    fresh(pair)
    return pair


def _run(
    pair: Pair, durability: Durability | None, scenario: Callable[[AsyncClient], Awaitable[Any]]
) -> Any:
    async def main() -> Any:
        async with AsyncClient(pair.primary.url, "acked-worker", durability=durability) as client:
            return await scenario(client)

    return asyncio.run(main())


async def _popped(client: AsyncClient) -> AsyncJob:
    job = await client.queues["q"].pop()
    assert isinstance(job, AsyncJob)
    return job


def _same_on_replica(pair: Pair) -> None:
    with pair.primary.client() as primary, pair.replica.client() as replica:
        assert snapshot(replica) == snapshot(primary)


def test_acknowledged_writes_return_once_on_the_replica(fresh_pair: Pair) -> None:
    async def scenario(client: AsyncClient) -> None:
        queue = client.queues["q"]
        await queue.put("K", {"n": 0})
        _same_on_replica(fresh_pair)
        assert len(await queue.put_many([{"klass": "K", "data": {"n": n}} for n in (1, 2)])) == 2
        _same_on_replica(fresh_pair)
        assert await (await _popped(client)).complete() == "complete"
        _same_on_replica(fresh_pair)
        assert await (await _popped(client)).fail("group", "message") is True
        _same_on_replica(fresh_pair)
        assert await (await _popped(client)).retry() >= 0
        _same_on_replica(fresh_pair)

    _run(fresh_pair, Durability(replicas=1), scenario)
    with fresh_pair.primary.client() as primary:
        assert calls(primary, "WAIT") == 5  # one per acknowledged write, none for the pops


def test_a_short_acknowledgement_raises_and_the_write_stays(fresh_pair: Pair) -> None:
    async def short(action: Callable[[], Awaitable[Any]]) -> DurabilityError:
        started = time.monotonic()
        with pytest.raises(DurabilityError) as caught:
            await action()
        assert SHORT * 0.9 <= time.monotonic() - started < SHORT + 2
        assert "only 1 of 2 replicas acknowledged it within 0.2 s" in str(caught.value)
        return caught.value

    async def scenario(client: AsyncClient) -> None:
        queue = client.queues["q"]
        assert (await short(lambda: queue.put("K", {}, jid="one"))).reply == "one"
        many = await short(lambda: queue.put_many([{"klass": "K", "data": {}, "jid": "a"}]))
        assert many.reply == ["a"]
        done = await short((await _popped(client)).complete)
        assert done.reply == "complete"
        assert await short(lambda: _fail_next(client)) is not None
        left = (await short(lambda: _retry_next(client))).reply
        assert isinstance(left, int)

    async def _fail_next(client: AsyncClient) -> bool:
        return await (await _popped(client)).fail("group", "message")

    async def _retry_next(client: AsyncClient) -> int:
        return await (await _popped(client)).retry()

    plain = Client(fresh_pair.primary.url)
    try:
        plain.queues["q"].put_many([{"klass": "K", "data": {}, "jid": j} for j in ("x", "y")])
        _run(fresh_pair, Durability(replicas=2, timeout=SHORT), scenario)
        states = {job.jid: job.state for job in plain.jobs.get("one", "a", "x", "y")}
    finally:
        plain.database.close()
    # x and y were put first, so popped first: x completed, y failed, then "one"
    # retried (back to waiting): all applied on the primary.
    assert sorted(states.values()) == ["complete", "failed", "waiting", "waiting"]


def test_other_calls_send_no_wait(fresh_pair: Pair) -> None:
    async def scenario(client: AsyncClient) -> None:
        await client.queues["q"].put("K", {}, jid="j")
        with fresh_pair.primary.client() as primary:
            before = calls(primary, "WAIT")
            job = await _popped(client)
            await job.heartbeat()
            await job.tag("t")
            assert await client.jobs.get("j")
            assert calls(primary, "WAIT") == before
            await job.complete()
            assert calls(primary, "WAIT") == before + 1

    _run(fresh_pair, Durability(replicas=1), scenario)


def test_the_durability_carries_over_to_the_twins(fresh_pair: Pair) -> None:
    durability = Durability(replicas=1, timeout=3)
    sync = Client(fresh_pair.primary.url, durability=durability)
    try:

        async def scenario() -> None:
            async with AsyncClient.from_client(sync) as made:
                assert made.durability == durability
            async with AsyncClient(fresh_pair.primary.url, durability=durability) as made:
                assert made.sync_client.durability == durability

        asyncio.run(scenario())
    finally:
        sync.database.close()
