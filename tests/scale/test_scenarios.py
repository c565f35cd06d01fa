"""Every scenario of scenarios.py, through both clients, on every scale target:
one server in a namespace, a cluster (a namespace on each primary) and Sentinel
(without a namespace and in one)."""

from __future__ import annotations

from typing import get_args

import pytest
from redis import Redis

from reqless.keys import KeySpace
from reqless.server import LocalServer
from tests.aio.conftest import Kind
from tests.scale.conftest import CLUSTER_NAMESPACES, home_of
from tests.scale.scenarios import SCENARIOS
from tests.scale.surface import Target, run_on
from tests.topology import LocalCluster, LocalSentinelSet

KINDS = list(get_args(Kind))
NAMES = list(SCENARIOS)

each_scenario = pytest.mark.parametrize("name", NAMES)
each_kind = pytest.mark.parametrize("kind", KINDS)


@each_kind
@each_scenario
def test_in_a_namespace_on_one_server(
    server: LocalServer, redis: Redis, name: str, kind: Kind
) -> None:
    run_on(kind, Target(server.url, "orders", redis), SCENARIOS[name])
    written = [str(key) for key in redis.keys("*")]
    assert written and all(key.startswith("ql:{orders}:") for key in written), written


def test_the_cluster_namespaces_land_on_three_primaries(cluster: LocalCluster) -> None:
    homes = {home_of(cluster, namespace).port for namespace in CLUSTER_NAMESPACES}
    assert homes == {node.port for node in cluster.primaries()}


@each_kind
@each_scenario
def test_on_a_cluster(emptied_cluster: LocalCluster, name: str, kind: Kind) -> None:
    # Spread over the primaries: each scenario in the namespace of one of them.
    namespace = CLUSTER_NAMESPACES[NAMES.index(name) % len(CLUSTER_NAMESPACES)]
    home = home_of(emptied_cluster, namespace)
    with home.client() as raw:
        run_on(kind, Target(emptied_cluster.url, namespace, raw), SCENARIOS[name])
    prefix = KeySpace(namespace).prefix
    for node in emptied_cluster.primaries():
        with node.client() as redis:
            written = [str(key) for key in redis.keys("*")]
        if node is home:
            assert written and all(key.startswith(prefix) for key in written), written
        else:
            assert written == [], f"{node.port} got keys of {namespace!r}: {written}"


@each_kind
@each_scenario
@pytest.mark.parametrize("namespace", [None, "orders"], ids=["no-namespace", "orders"])
def test_through_sentinel(
    sentinel_set: LocalSentinelSet,
    emptied_sentinel: Redis,
    namespace: str | None,
    name: str,
    kind: Kind,
) -> None:
    run_on(kind, Target(sentinel_set.url, namespace, emptied_sentinel), SCENARIOS[name])
    prefix = KeySpace(namespace).prefix
    # Read the primary the sentinels name now: under load a slow answer to their
    # pings can make them fail over while the scenario runs (seen once in CI, the
    # server emptied at the start then held none of the keys).
    primary = sentinel_set.primary()
    with primary.client() as now_primary:
        written = [str(key) for key in now_primary.keys("*")]
    emptied = emptied_sentinel.connection_pool.connection_kwargs.get("port")
    where = f"primary now {primary.port}, emptied at the start {emptied}"
    assert written and all(key.startswith(prefix) for key in written), (where, written)
    if namespace is None:
        assert not any("{" in key for key in written), written
