"""Windows over many queues: a worker serving a pattern pops from a few ready
queues at a time, and keeps its resolution between pops."""

from __future__ import annotations

import asyncio

import pytest
from redis import Redis

from reqless.aio.client import AsyncClient
from reqless.aio.pickup import AsyncPickup
from reqless.client import Client
from reqless.job import Job
from reqless.pickup import Pickup
from reqless.queue_resolvers import (
    DynamicMappingQueueIdentifiersTransformer,
    TransformingQueueResolver,
)
from reqless.queue_windows import QueueWindow, ReadyQueues
from reqless.server import LocalServer

NAMES = [f"tenant-{i:03d}" for i in range(40)]


def cancel(client: Client, jid: str) -> None:
    job = client.jobs[jid]
    assert isinstance(job, Job)
    job.cancel()


def known(client: Client, *names: str) -> None:
    """Make the core know `names` as queues, with nothing left in them."""
    for name in names:
        cancel(client, client.queues[name].put("x.Y", {}))


def fcalls(redis: Redis) -> int:
    stats = redis.info("commandstats")
    return sum(
        int(stats.get(f"cmdstat_{name}", {}).get("calls", 0)) for name in ("fcall", "evalsha")
    )


def test_few_queues_are_all_named_in_every_pop(client: Client) -> None:
    windows = ReadyQueues(client, size=4)
    windows.reset(["a", "b", "c", "d"])
    assert windows.current() == ["a", "b", "c", "d"]
    assert not isinstance(windows.current(), QueueWindow)


def test_many_queues_are_cut_into_windows_of_ready_ones(client: Client) -> None:
    known(client, *NAMES)
    for name in NAMES[5:40:5]:
        client.queues[name].put("x.Y", {})
    windows = ReadyQueues(client, size=3)
    windows.reset(NAMES)
    first = windows.current()
    assert isinstance(first, QueueWindow)
    assert first == ["tenant-005", "tenant-010", "tenant-015"]
    second = first.exhausted()
    assert second == ["tenant-020", "tenant-025", "tenant-030"]
    assert isinstance(second, QueueWindow)
    assert first.exhausted() == second  # a stale window does not skip one more
    third = second.exhausted()
    assert third == ["tenant-035"]
    assert isinstance(third, QueueWindow)
    # Nothing served and nothing left: wait on every queue.
    assert third.exhausted() == NAMES


def test_windows_ask_again_once_used_up_after_serving(client: Client) -> None:
    known(client, *NAMES)
    client.queues["tenant-001"].put("x.Y", {})
    windows = ReadyQueues(client, size=2)
    windows.reset(NAMES)
    window = windows.current()
    assert window == ["tenant-001"]
    assert isinstance(window, QueueWindow)
    window.served()
    client.queues["tenant-002"].put("x.Y", {})
    assert window.exhausted() == ["tenant-001", "tenant-002"]


def test_the_window_size_is_checked(client: Client) -> None:
    with pytest.raises(ValueError, match="size must be at least 1, got 0"):
        ReadyQueues(client, size=0)


def test_pickup_moves_through_windows_then_waits_on_every_queue(client: Client) -> None:
    known(client, *NAMES)
    for name in ("tenant-003", "tenant-030"):
        client.queues[name].put("x.Y", {}, jid=name)
    windows = ReadyQueues(client, size=1)
    windows.reset(NAMES)
    pickup = Pickup(client)
    assert [job.jid for job in pickup.take(windows.current(), 5, 0.2)] == ["tenant-003"]
    assert [job.jid for job in pickup.take(windows.current(), 5, 0.2)] == ["tenant-030"]
    assert pickup.take(windows.current(), 5, 0.2) == []


def test_async_pickup_moves_through_windows(server: LocalServer, client: Client) -> None:
    known(client, *NAMES)
    client.queues["tenant-030"].put("x.Y", {}, jid="late")
    windows = ReadyQueues(client, size=2)
    windows.reset(NAMES)
    # A window of two queues whose jobs are gone: the pickup moves on.
    client.queues["tenant-001"].put("x.Y", {}, jid="gone")
    window = windows.current()
    cancel(client, "gone")

    async def take() -> list[str]:
        async with AsyncClient(server.url, hostname="test-worker") as aclient:
            jobs = await AsyncPickup(aclient).take(window, lambda: 5, 0.2)
            return [job.jid for job in jobs]

    assert asyncio.run(take()) == ["late"]


def test_pop_order_keeps_the_resolution_between_pops(client: Client, redis: Redis) -> None:
    known(client, "a-1", "a-2")
    resolver = TransformingQueueResolver(
        ["a-*"], [DynamicMappingQueueIdentifiersTransformer(client)], refresh_seconds=60
    )
    assert resolver.pop_order() == ["a-1", "a-2"]
    known(client, "a-3")
    redis.config_resetstat()
    assert resolver.pop_order() == ["a-1", "a-2"]
    assert fcalls(redis) == 0
    assert resolver.resolve() == ["a-1", "a-2", "a-3"]


def test_pop_order_resolves_again_after_the_refresh_period(client: Client) -> None:
    known(client, "a-1")
    resolver = TransformingQueueResolver(
        ["a-*"], [DynamicMappingQueueIdentifiersTransformer(client)], refresh_seconds=0
    )
    assert resolver.pop_order() == ["a-1"]
    known(client, "a-2")
    assert resolver.pop_order() == ["a-1", "a-2"]


def test_the_refresh_period_is_checked() -> None:
    with pytest.raises(ValueError, match="refresh_seconds must be 0 or more, got -1"):
        TransformingQueueResolver(["a"], refresh_seconds=-1)


def test_resolving_thousands_of_queues_keeps_their_order() -> None:
    names = [f"tenant-{i:05d}" for i in range(3000)]
    resolved = DynamicMappingQueueIdentifiersTransformer.resolve_queue_names(
        {}, names, ["tenant-00007", "tenant-*", "!tenant-1*"]
    )
    assert resolved == [
        "tenant-00007",
        *(n for n in names if not n.startswith("tenant-1") and n != "tenant-00007"),
    ]
