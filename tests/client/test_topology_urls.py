"""Cluster and Sentinel URLs: how they are read, refused, and connected to real servers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis import Redis
from redis.cluster import RedisCluster
from redis.crc import key_slot

from reqless.aio import AsyncClient
from reqless.client import Client
from reqless.durability import Durability
from reqless.exceptions import ArgumentError, ReqlessError, ServerAccessError
from reqless.server import LocalServer
from reqless.topology import (
    ServerAddress,
    cluster_url,
    connect_async,
    connect_sync,
    parse_server_url,
)
from tests.helpers import snapshot
from tests.topology import LocalCluster, LocalSentinelSet

GOOD_URLS: list[tuple[str, dict[str, Any]]] = [
    ("redis://localhost:6379/2", {"kind": "single", "hosts": ()}),
    ("rediss://:pw@example.com/0", {"kind": "single", "password": None}),
    ("unix:///run/redis.sock?db=1", {"kind": "single"}),
    (
        "redis+cluster://10.0.0.1:7000,10.0.0.2:7001",
        {"kind": "cluster", "hosts": (("10.0.0.1", 7000), ("10.0.0.2", 7001)), "tls": False},
    ),
    (
        "rediss+cluster://app:s%40cret@node1:7000/0?socket_timeout=2.5",
        {
            "kind": "cluster",
            "hosts": (("node1", 7000),),
            "username": "app",
            "password": "s@cret",
            "tls": True,
            "options": (("socket_timeout", 2.5),),
        },
    ),
    ("REDIS+CLUSTER://node1", {"kind": "cluster", "hosts": (("node1", 6379),)}),
    ("redis+cluster://[::1]:7000, [::1]:7001/", {"hosts": (("::1", 7000), ("::1", 7001))}),
    (
        "redis+sentinel://:pw@s1:26379,s2:26380/mymaster",
        {
            "kind": "sentinel",
            "hosts": (("s1", 26379), ("s2", 26380)),
            "username": None,
            "password": "pw",
            "service": "mymaster",
            "db": 0,
        },
    ),
    (
        "rediss+sentinel://s1/my%20master/3",
        {"hosts": (("s1", 26379),), "service": "my master", "db": 3, "tls": True},
    ),
]


@pytest.mark.parametrize(("url", "expected"), GOOD_URLS)
def test_a_url_reads_as(url: str, expected: dict[str, Any]) -> None:
    address = parse_server_url(url)
    assert address.url == url
    for name, value in expected.items():
        assert getattr(address, name) == value, name


BAD_URLS = [
    ("redis+cluster://", "names no host"),
    ("redis+sentinel://:pw@/reqless", "names no host"),
    ("redis+cluster://h1:7000,,h2:7001", "an empty host in its list 'h1:7000,,h2:7001'"),
    ("redis+cluster://h1:70x0", "the port '70x0' of 'h1:70x0' is not a port number"),
    ("redis+sentinel://h1:99999/reqless", "the port '99999' of 'h1:99999' is not a port number"),
    ("redis+cluster://:7000", "':7000' names no host"),
    ("redis+sentinel://h1:26379", "names no service"),
    ("redis+sentinel://h1:26379/", "names no service"),
    ("redis+sentinel://h1/reqless/x", "the database must be a number, got 'x'"),
    ("redis+sentinel://h1/reqless/0/more", "the path must be /service_name[/db]"),
    ("redis+cluster://h1:7000/3", "asks for database 3: a cluster has only database 0"),
    ("redis+cluster://h1:7000/db", "the database must be a number, got 'db'"),
    ("redis+cluster://h1:7000?db=2", "give the database in the path"),
    ("redis+cluster://h1?socket_timeout=soon", "invalid value 'soon' for 'socket_timeout'"),
    (
        "http://h1:7000",
        "unsupported URL scheme 'http' in 'http://h1:7000' (use redis://, rediss://, unix://, "
        "redis+cluster://, rediss+cluster://, redis+sentinel://, rediss+sentinel://)",
    ),
    ("localhost:6379", "no URL scheme in 'localhost:6379' (use redis://"),
]


@pytest.mark.parametrize(("url", "message"), BAD_URLS)
def test_a_bad_url_is_refused_naming_the_problem(url: str, message: str) -> None:
    with pytest.raises(ArgumentError) as caught:
        parse_server_url(url)
    assert message in str(caught.value)
    assert isinstance(caught.value, ReqlessError)


def test_a_refused_url_hides_its_password() -> None:
    with pytest.raises(ArgumentError) as caught:
        parse_server_url("redis+sentinel://app:hunter2@h1:26379")
    assert "hunter2" not in str(caught.value)
    assert "redis+sentinel://app:***@h1:26379" in str(caught.value)
    assert "hunter2" not in repr(parse_server_url("redis+cluster://app:hunter2@h1"))


def test_a_single_server_url_is_left_to_redis_py(server: LocalServer, redis: Redis) -> None:
    url = f"redis://127.0.0.1:{server.port}/3"
    with connect_sync(parse_server_url(url)) as connection:
        assert isinstance(connection, Redis)
        connection.set("where", "db 3")
    assert redis.get("where") is None
    redis.select(3)
    assert redis.get("where") == "db 3"
    redis.flushall()


def test_a_single_server_url_connects_with_asyncio(server: LocalServer, redis: Redis) -> None:
    async def scenario() -> Any:
        connection = connect_async(parse_server_url(f"redis://127.0.0.1:{server.port}/0"))
        try:
            await connection.set("where", "async")
            return await connection.get("where")
        finally:
            await connection.aclose()

    assert asyncio.run(scenario()) == "async"
    assert redis.get("where") == "async"


def _cluster_round_trip(connection: Any) -> None:
    """Keys over every primary, written and read back (sync)."""
    for index in range(30):
        connection.set(f"key:{index}", f"value {index}")
    assert [connection.get(f"key:{index}") for index in range(30)] == [
        f"value {index}" for index in range(30)
    ]


def test_a_cluster_url_connects_to_the_whole_cluster(cluster: LocalCluster) -> None:
    cluster.flushall()
    connection = connect_sync(parse_server_url(cluster.url))
    try:
        assert isinstance(connection, RedisCluster)
        _cluster_round_trip(connection)
        # One host is enough: the client learns the other nodes from it.
        one = connect_sync(parse_server_url(f"redis+cluster://127.0.0.1:{cluster.nodes[0].port}"))
        assert one.get("key:7") == "value 7"
        one.close()
    finally:
        connection.close()
    counts = []
    for node in cluster.primaries():
        with node.client() as redis:
            counts.append(redis.dbsize())
    assert sum(counts) == 30 and all(counts), counts


def test_a_cluster_url_connects_with_asyncio(cluster: LocalCluster) -> None:
    cluster.flushall()

    async def scenario() -> list[Any]:
        connection = connect_async(parse_server_url(cluster.url))
        try:
            for index in range(30):
                await connection.set(f"key:{index}", f"value {index}")
            return [await connection.get(f"key:{index}") for index in range(30)]
        finally:
            await connection.aclose()

    assert asyncio.run(scenario()) == [f"value {index}" for index in range(30)]


def _not_a_cluster_message(server: LocalServer) -> str:
    return (
        f"127.0.0.1:{server.port} is not a cluster node: cluster mode is not enabled there; "
        f"use redis://127.0.0.1:{server.port} for a single server"
    )


def test_a_cluster_url_to_a_single_server_is_refused_plainly(
    server: LocalServer, redis: Redis
) -> None:
    before = snapshot(redis)
    address = parse_server_url(f"redis+cluster://127.0.0.1:{server.port}")
    with pytest.raises(ServerAccessError) as caught:
        connect_sync(address)
    assert str(caught.value) == _not_a_cluster_message(server)
    assert caught.value.problem == "not-a-cluster"
    assert snapshot(redis) == before


def test_a_cluster_url_to_a_single_server_is_refused_plainly_with_asyncio(
    server: LocalServer, redis: Redis
) -> None:
    before = snapshot(redis)
    address = parse_server_url(f"redis+cluster://127.0.0.1:{server.port}")

    async def scenario() -> None:
        connection = connect_async(address)
        try:
            await connection.set("written", "no")
        finally:
            await connection.aclose()

    with pytest.raises(ServerAccessError) as caught:
        asyncio.run(scenario())
    assert str(caught.value) == _not_a_cluster_message(server)
    assert snapshot(redis) == before


def _flush_primary(sentinel_set: LocalSentinelSet) -> LocalServer:
    primary = sentinel_set.primary()
    with primary.client() as redis:
        redis.flushall()
    return primary


def test_a_sentinel_url_connects_to_the_primary(sentinel_set: LocalSentinelSet) -> None:
    primary = _flush_primary(sentinel_set)
    connection = connect_sync(parse_server_url(sentinel_set.url + "/2"))
    with connection:
        assert isinstance(connection, Redis)
        connection.set("through", "sentinel")
        assert connection.get("through") == "sentinel"
    with primary.client() as redis:
        redis.select(2)
        assert redis.get("through") == "sentinel"


def test_a_sentinel_url_connects_with_asyncio(sentinel_set: LocalSentinelSet) -> None:
    primary = _flush_primary(sentinel_set)

    async def scenario() -> Any:
        connection = connect_async(parse_server_url(sentinel_set.url))
        try:
            await connection.set("through", "async sentinel")
            return await connection.get("through")
        finally:
            await connection.aclose()

    assert asyncio.run(scenario()) == "async sentinel"
    with primary.client() as redis:
        assert redis.get("through") == "async sentinel"


def _unknown_service_url(sentinel_set: LocalSentinelSet) -> ServerAddress:
    return parse_server_url(sentinel_set.url.rpartition("/")[0] + "/billing")


def test_a_service_the_sentinels_do_not_know_is_named(sentinel_set: LocalSentinelSet) -> None:
    primary = _flush_primary(sentinel_set)
    connection = connect_sync(_unknown_service_url(sentinel_set))
    with pytest.raises(ServerAccessError) as caught, connection:
        connection.set("written", "no")
    assert "know no service 'billing'" in str(caught.value)
    assert caught.value.problem == "unknown-service"
    with primary.client() as redis:
        assert redis.dbsize() == 0


def test_a_service_the_sentinels_do_not_know_is_named_with_asyncio(
    sentinel_set: LocalSentinelSet,
) -> None:
    async def scenario() -> None:
        connection = connect_async(_unknown_service_url(sentinel_set))
        try:
            await connection.set("written", "no")
        finally:
            await connection.aclose()

    with pytest.raises(ServerAccessError, match="know no service 'billing'"):
        asyncio.run(scenario())


def test_a_sentinel_url_to_a_single_server_is_refused_plainly(server: LocalServer) -> None:
    connection = connect_sync(parse_server_url(f"redis+sentinel://127.0.0.1:{server.port}/x"))
    with pytest.raises(ServerAccessError, match="no sentinel answers there"), connection:
        connection.ping()


def test_the_keyword_form_of_a_cluster_is_its_url() -> None:
    assert cluster_url(["10.0.0.5:7000", ("10.0.0.6", 7001), ("::1", 7002)]) == (
        "redis+cluster://10.0.0.5:7000,10.0.0.6:7001,[::1]:7002"
    )
    assert cluster_url(["h:1"], password="p@ss", tls=True) == "rediss+cluster://:p%40ss@h:1"
    for bad in ([], "h:1", ["h:1,h:2"], ["h:port"]):
        with pytest.raises(ArgumentError):
            cluster_url(bad)


def test_a_client_takes_a_cluster_by_keyword(cluster: LocalCluster) -> None:
    nodes = [f"127.0.0.1:{node.port}" for node in cluster.primaries()[:1]]
    client = Client(cluster=nodes, namespace="kw")
    try:
        jid = client.queues["q"].put("app.Job", {})
        job = client.jobs[jid]
        assert job is not None and job.queue_name == "q"
        assert client.address.kind == "cluster"
        # Per-server reads go to the namespace's own primary.
        owner = cluster.node_for_slot(key_slot(client.keys.prefix.encode()))
        assert client.node.connection_pool.connection_kwargs["port"] == owner.port
        assert client.node.info("server")["tcp_port"] == owner.port
    finally:
        client.queues["q"].pop()
        client.database.close()
    with pytest.raises(ArgumentError, match="not both"):
        Client("redis://localhost:6379/0", cluster=nodes, namespace="kw")


def test_the_asyncio_client_refuses_durable_acknowledgement_on_a_cluster(
    cluster: LocalCluster,
) -> None:
    with pytest.raises(ReqlessError, match="not offered by the asyncio client"):
        AsyncClient(cluster.url, namespace="x", durability=Durability(replicas=1))
