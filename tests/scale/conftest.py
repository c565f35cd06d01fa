"""Fixtures of the scale tests: the session's cluster and Sentinel set of each
server kind (tests/topology_fixtures.py), and where each client's keys live.

Each topology starts once per session and server kind; a test empties it first
(`emptied_cluster`, `emptied_sentinel`) instead of starting another.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis
from redis.crc import key_slot

from reqless.keys import KeySpace
from reqless.server import LocalServer
from tests.topology import LocalCluster, LocalSentinelSet
from tests.topology_fixtures import cluster, sentinel_set

__all__ = [
    "CLUSTER_NAMESPACES",
    "cluster",
    "emptied_cluster",
    "emptied_sentinel",
    "home_of",
    "sentinel_set",
]

#: A namespace on each primary of a 3-primary cluster whose slots are split
#: evenly: their hash tags fall in slots 105, 8537 and 12682.
CLUSTER_NAMESPACES = ("orders", "shipping", "billing")


def home_of(cluster: LocalCluster, namespace: str) -> LocalServer:
    """The primary that serves `namespace`'s slot now."""
    return cluster.node_for_slot(key_slot(KeySpace(namespace).prefix.encode()))


@pytest.fixture
def emptied_cluster(cluster: LocalCluster) -> LocalCluster:
    """The session's cluster, every primary emptied (the function library stays)."""
    cluster.flushall()
    return cluster


@pytest.fixture
def emptied_sentinel(sentinel_set: LocalSentinelSet) -> Iterator[Redis]:
    """A connection to the Sentinel set's primary, emptied."""
    with sentinel_set.primary().client() as raw:
        raw.flushall()
        yield raw
