"""What the client does when a cluster or Sentinel set changes under it, and the
bad cluster input it refuses (docs/scale-out.md).

The failover tests SIGKILL a primary of the session's topology, check that
work held before the kill is finished after the promotion, and restart the
killed node (as a replica) so that the next test finds the topology whole.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any

import pytest
from redis import Redis

from reqless.aio import AsyncClient
from reqless.client import Client
from reqless.core.script import load_script
from reqless.exceptions import ArgumentError, CoreError, ReqlessError, ServerAccessError
from reqless.keys import KeySpace
from reqless.server import LocalServer
from tests.aio.conftest import Kind
from tests.helpers import snapshot
from tests.patience import PATIENCE
from tests.scale.conftest import home_of
from tests.topology import LocalCluster, LocalSentinelSet

KLASS = "tests.aio.jobs.Noop"
#: Long enough for a failover on a busy machine: calls wait for the promotion.
FAILOVER_WINDOW = 30.0


def _function_loads(node: LocalServer) -> int:
    """How many FUNCTION LOAD calls `node` has run since it started."""
    with node.client() as redis:
        stats = redis.info("commandstats")
    return int(stats.get("cmdstat_function|load", {}).get("calls", 0))


async def _result(value: Any) -> Any:
    """`value`, awaited when an asyncio client returned an awaitable."""
    return await value if inspect.isawaitable(value) else value


async def _call(client: Client | AsyncClient, action: Callable[[Any], Any]) -> Any:
    """`action(client)`, awaited for the asyncio client."""
    return await _result(action(client))


def _client(kind: Kind, url: str, namespace: str | None, hostname: str) -> Client | AsyncClient:
    made = Client if kind == "sync" else AsyncClient
    return made(url, hostname, namespace=namespace, retry_window=FAILOVER_WINDOW)


async def _close(client: Client | AsyncClient) -> None:
    if isinstance(client, AsyncClient):
        await client.aclose()
    else:
        client.database.close()


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_primary_emptied_of_functions_gets_the_library_again_once(
    emptied_cluster: LocalCluster, kind: Kind
) -> None:
    namespace = "shipping"
    home = home_of(emptied_cluster, namespace)

    async def scenario() -> None:
        client = _client(kind, emptied_cluster.url, namespace, "w")
        try:
            queue = client.queues["q"]
            await _call(client, lambda c: queue.put(KLASS, {}))
            with home.client() as redis:
                redis.function_flush()
                assert redis.function_list() == []
            before = {node.port: _function_loads(node) for node in emptied_cluster.primaries()}
            jid = await _call(client, lambda c: queue.put(KLASS, {}))
            job = await _call(client, lambda c: queue.pop())
            assert job.jid != jid  # the job put before the flush pops first
            after = {node.port: _function_loads(node) for node in emptied_cluster.primaries()}
            await _call(client, lambda c: queue.pop())
            again = {node.port: _function_loads(node) for node in emptied_cluster.primaries()}
        finally:
            await _close(client)
        assert after[home.port] == before[home.port] + 1, (before, after)
        assert all(after[port] - before[port] <= 1 for port in before), (before, after)
        assert again == after  # loaded, it is not loaded again
        with home.client() as redis:
            libraries = [
                dict(zip(lib[::2], lib[1::2], strict=True)) for lib in redis.function_list()
            ]
        assert [lib["library_name"] for lib in libraries] == [load_script().library_name]

    asyncio.run(scenario())


async def _hold_jobs(clients: list[Client | AsyncClient], primary: LocalServer) -> list[Any]:
    """Put and pop one job per client; return the jobs once a replica has them."""
    held = []
    for client in clients:
        await _call(client, lambda c: c.queues["q"].put(KLASS, {}))
        held.append(await _call(client, lambda c: c.queues["q"].pop()))
    with primary.client() as redis:
        # Replication is asynchronous: without this, a failover may lose the pops.
        assert redis.wait(1, 5000) >= 1
    return held


async def _put_during_switch(sync: Client, aclient: AsyncClient) -> list[str]:
    """A put through each client, both sent while the primary is down."""
    jids = await asyncio.gather(
        asyncio.to_thread(sync.queues["q"].put, KLASS, {"during": "switch"}),
        aclient.queues["q"].put(KLASS, {"during": "switch"}),
    )
    return list(jids)


async def _finish(held: list[Any]) -> None:
    """Heartbeat and complete each held job (through the client that popped it)."""
    for job in held:
        assert await _result(job.heartbeat()) > 0
        assert await _result(job.complete()) == "complete"


def _after_failover(
    kill: Callable[[], LocalServer],
    promote: Callable[[], LocalServer],
    restart: Callable[[LocalServer], object],
    url: str,
    namespace: str | None,
    primary: LocalServer,
) -> tuple[list[str], list[Any], LocalServer]:
    """Hold a job per client, kill `primary`, put during the switch, wait for the
    promotion, finish the jobs; returns the jids put during the switch, the held
    jobs, and the new primary. The killed node is restarted in any case."""

    async def scenario() -> tuple[list[str], list[Any], LocalServer]:
        sync = Client(url, "w-sync", namespace=namespace, retry_window=FAILOVER_WINDOW)
        aclient = AsyncClient(url, "w-async", namespace=namespace, retry_window=FAILOVER_WINDOW)
        clients: list[Client | AsyncClient] = [sync, aclient]
        killed: LocalServer | None = None
        try:
            held = await _hold_jobs(clients, primary)
            killed = kill()
            during = await _put_during_switch(sync, aclient)
            promoted = promote()
            await _finish(held)
            return during, held, promoted
        finally:
            for client in clients:
                await _close(client)
            if killed is not None:
                restart(killed)

    return asyncio.run(scenario())


def _retried_puts(caplog: pytest.LogCaptureFixture) -> int:
    """How many puts met the switch and were sent again (each logs it once)."""
    return sum(
        record.getMessage().startswith("queue.put:") and "trying again" in record.getMessage()
        for record in caplog.records
    )


def _states(redis: Redis, keys: KeySpace, jids: list[str]) -> list[str | None]:
    return [None if (state := redis.hget(keys.job(jid), "state")) is None else str(state)
            for jid in jids]  # fmt: skip


@pytest.mark.slow
def test_a_cluster_failover_mid_run_loses_no_held_job(
    emptied_cluster: LocalCluster, caplog: pytest.LogCaptureFixture
) -> None:
    namespace = "billing"
    home = home_of(emptied_cluster, namespace)

    def kill() -> LocalServer:
        emptied_cluster.kill(home)
        return home

    during, held, promoted = _after_failover(
        kill, lambda: emptied_cluster.wait_failover(home), emptied_cluster.restart,
        emptied_cluster.url, namespace, home,
    )  # fmt: skip
    assert promoted is not home and home_of(emptied_cluster, namespace) is promoted
    keys = KeySpace(namespace)
    with promoted.client() as redis:
        assert _states(redis, keys, [job.jid for job in held]) == ["complete", "complete"]
        assert _states(redis, keys, during) == ["waiting", "waiting"]
    assert _retried_puts(caplog) == 2


@pytest.mark.slow
def test_a_sentinel_failover_mid_run_loses_no_held_job(
    sentinel_set: LocalSentinelSet, emptied_sentinel: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    old = sentinel_set.primary()
    during, held, promoted = _after_failover(
        sentinel_set.kill_primary, sentinel_set.wait_failover, sentinel_set.restart,
        sentinel_set.url, None, old,
    )  # fmt: skip
    assert promoted is not old and sentinel_set.primary() is promoted
    keys = KeySpace()
    with promoted.client() as redis:
        assert _states(redis, keys, [job.jid for job in held]) == ["complete", "complete"]
        assert _states(redis, keys, during) == ["waiting", "waiting"]
    assert _retried_puts(caplog) == 2


def _wait_until(what: str, condition: Callable[[], bool], timeout: float = PATIENCE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.05)


def _role(node: LocalServer) -> str:
    with node.client() as redis:
        return str(redis.info("replication")["role"])


def _replica_of(cluster: LocalCluster, primary: LocalServer) -> LocalServer:
    with primary.client() as redis:
        port = int(redis.info("replication")["slave0"]["port"])
    return next(node for node in cluster.nodes if node.port == port)


def _after_switchover(
    switch: Callable[[], LocalServer], url: str, namespace: str | None, primary: LocalServer
) -> tuple[list[Any], LocalServer]:
    """Hold a job per client, hand `primary`'s place to a replica (`switch` returns
    it once it took over), then complete the jobs: the first call after the switch
    is one that is sent again only when it was refused unrun."""

    async def scenario() -> tuple[list[Any], LocalServer]:
        sync = Client(url, "w-sync", namespace=namespace, retry_window=FAILOVER_WINDOW)
        aclient = AsyncClient(url, "w-async", namespace=namespace, retry_window=FAILOVER_WINDOW)
        try:
            held = await _hold_jobs([sync, aclient], primary)
            promoted = switch()
            for job in held:
                assert await _result(job.complete()) == "complete"
            return held, promoted
        finally:
            await _close(sync)
            await _close(aclient)

    return asyncio.run(scenario())


def test_a_manual_cluster_failover_sends_the_calls_to_the_new_primary(
    emptied_cluster: LocalCluster,
) -> None:
    namespace = "shipping"
    home = home_of(emptied_cluster, namespace)
    replica = _replica_of(emptied_cluster, home)

    def switch() -> LocalServer:
        with replica.client() as redis:
            redis.execute_command("CLUSTER", "FAILOVER")
        _wait_until("the replica took over", lambda: home_of(emptied_cluster, namespace) is replica)
        return replica

    held, promoted = _after_switchover(switch, emptied_cluster.url, namespace, home)
    assert _role(home) == "slave"  # still running: its old connections answer MOVED
    with promoted.client() as redis:
        states = _states(redis, KeySpace(namespace), [job.jid for job in held])
    assert states == ["complete", "complete"]


def _written(cluster: LocalCluster) -> dict[int, int]:
    """The number of keys on each primary."""
    counts = {}
    for node in cluster.primaries():
        with node.client() as redis:
            counts[node.port] = int(redis.dbsize())
    return counts


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_cluster_url_at_a_single_server_is_refused_plainly(
    server: LocalServer, redis: Redis, kind: Kind
) -> None:
    url = f"redis+cluster://127.0.0.1:{server.port}"
    before = snapshot(redis)

    async def scenario() -> None:
        with pytest.raises(ServerAccessError, match="not a cluster node") as refused:
            client = _client(kind, url, "orders", "w")
            try:  # the asyncio client contacts the server on its first call
                await _call(client, lambda c: c.queues["q"].put(KLASS, {}))
            finally:
                await _close(client)
        assert f"use redis://127.0.0.1:{server.port}" in str(refused.value)

    asyncio.run(scenario())
    assert snapshot(redis) == before


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_cluster_client_without_a_namespace_is_refused(
    emptied_cluster: LocalCluster, kind: Kind
) -> None:
    async def scenario() -> None:
        with pytest.raises(ReqlessError, match="a cluster needs a namespace"):
            _client(kind, emptied_cluster.url, None, "w")

    asyncio.run(scenario())
    assert set(_written(emptied_cluster).values()) == {0}


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("namespace", ["a{b}", "{orders}", "or}ders", "a{"])
def test_a_namespace_with_braces_is_refused_before_anything_is_sent(
    emptied_cluster: LocalCluster, kind: Kind, namespace: str
) -> None:
    async def scenario() -> None:
        with pytest.raises(ArgumentError, match="may not contain braces"):
            _client(kind, emptied_cluster.url, namespace, "w")
        # Refused before connecting: an address where nothing listens says the same.
        with pytest.raises(ArgumentError, match="may not contain braces"):
            _client(kind, "redis+cluster://127.0.0.1:1", namespace, "w")

    asyncio.run(scenario())
    assert set(_written(emptied_cluster).values()) == {0}


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_dependency_on_a_job_of_another_namespace_is_refused_and_writes_nothing(
    emptied_cluster: LocalCluster, kind: Kind
) -> None:
    elsewhere = Client(emptied_cluster.url, namespace="billing")
    try:
        other = elsewhere.queues["q"].put(KLASS, {})
    finally:
        elsewhere.database.close()
    nodes = [home_of(emptied_cluster, name) for name in ("orders", "billing")]

    def snapshots() -> list[dict[str, Any]]:
        states = []
        for node in nodes:
            with node.client() as redis:
                states.append(snapshot(redis))
        return states

    before = snapshots()

    async def scenario() -> None:
        here = _client(kind, emptied_cluster.url, "orders", "w")
        try:
            with pytest.raises(
                CoreError, match=f"names {other}, which is not a job of this namespace"
            ):
                await _call(here, lambda c: c.queues["q"].put(KLASS, {}, depends=[other]))
        finally:
            await _close(here)

    asyncio.run(scenario())
    assert snapshots() == before
