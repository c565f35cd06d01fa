"""The cluster and Sentinel fixtures start real topologies that fail over for real."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis.cluster import ClusterNode, RedisCluster
from redis.crc import key_slot

from tests.topology import SLOTS, LocalCluster, LocalSentinelSet


@pytest.fixture
def cluster_client(cluster: LocalCluster) -> Iterator[RedisCluster]:
    """A redis-py cluster client of the fixture's cluster, emptied first."""
    cluster.flushall()
    nodes = [ClusterNode("127.0.0.1", n.port) for n in cluster.primaries()]  # type: ignore[no-untyped-call]
    client = RedisCluster(startup_nodes=nodes, decode_responses=True)
    yield client
    client.close()


def _slots_of(cluster: LocalCluster) -> list[int]:
    """Every slot, once per primary that claims it (each asked for its own)."""
    claimed: list[int] = []
    for node in cluster.primaries():
        with node.client() as redis:
            text = str(redis.execute_command("CLUSTER", "NODES"))
        mine = next(line.split() for line in text.splitlines() if "myself" in line)
        for bounds in mine[8:]:  # "0-5460", or a single slot
            first, _, last = bounds.partition("-")
            claimed.extend(range(int(first), int(last or first) + 1))
    return claimed


def test_the_cluster_serves_every_slot_once(cluster: LocalCluster) -> None:
    assert len(cluster.primaries()) == 3
    assert len(cluster.replicas()) == 3
    assert sorted(_slots_of(cluster)) == list(range(SLOTS))
    for node in cluster.replicas():
        with node.client() as redis:
            assert redis.info("replication")["master_link_status"] == "up"
    ports = sorted(node.port for node in cluster.primaries())
    hosts = cluster.url.removeprefix("redis+cluster://").split(",")
    assert sorted(int(host.removeprefix("127.0.0.1:")) for host in hosts) == ports


def test_a_key_written_through_the_cluster_lands_on_the_node_of_its_slot(
    cluster: LocalCluster, cluster_client: RedisCluster
) -> None:
    for key in ("alpha", "beta", "gamma", "{job}:1"):
        cluster_client.set(key, f"value of {key}")
        owner = cluster.node_for_slot(key_slot(key.encode()))
        for node in cluster.primaries():
            with node.client() as redis:
                held = redis.execute_command("CLUSTER", "COUNTKEYSINSLOT", key_slot(key.encode()))
                assert held == (1 if node is owner else 0), (key, node.port)
        with owner.client() as redis:
            assert redis.get(key) == f"value of {key}"


@pytest.mark.slow
def test_killing_a_primary_promotes_its_replica(
    cluster: LocalCluster, cluster_client: RedisCluster
) -> None:
    slot = key_slot(b"survivor")
    victim = cluster.node_for_slot(slot)
    cluster.kill(victim)
    try:
        promoted = cluster.wait_failover(victim)
        assert cluster.node_for_slot(slot) is promoted
        assert victim not in cluster.primaries()
        with promoted.client() as redis:
            redis.set("survivor", "here")  # the promoted node takes writes for the slot
    finally:
        back = cluster.restart(victim)
    assert back in cluster.replicas()
    with back.client() as redis:
        assert redis.info("replication")["master_port"] == promoted.port
    assert len(cluster.primaries()) == 3


def test_the_sentinels_name_the_primary(sentinel_set: LocalSentinelSet) -> None:
    primary = sentinel_set.primary()
    with primary.client() as redis:
        assert redis.info("replication")["role"] == "master"
        assert redis.info("replication")["connected_slaves"] == 1
    hosts = ",".join(f"127.0.0.1:{node.port}" for node in sentinel_set.sentinels)
    assert sentinel_set.url == f"redis+sentinel://{hosts}/reqless"


@pytest.mark.slow
def test_killing_the_primary_makes_the_sentinels_promote_the_replica(
    sentinel_set: LocalSentinelSet,
) -> None:
    old = sentinel_set.kill_primary()
    try:
        new = sentinel_set.wait_failover()
        assert new is not old
        assert new.process.poll() is None
        with new.client() as redis:
            assert redis.info("replication")["role"] == "master"
    finally:
        back = sentinel_set.restart(old)
    assert sentinel_set.primary() is new
    with back.client() as redis:
        assert redis.info("replication")["master_port"] == new.port
