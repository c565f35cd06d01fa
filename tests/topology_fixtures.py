"""Session fixtures that own a real cluster and a real Sentinel set of each server kind.

Import them into the conftest (or test module) that needs them:
`from tests.topology_fixtures import cluster, sentinel_set`. Like `server`, they
run with valkey-server always and with redis-server when installed (required
when REQLESS_REQUIRE_REDIS=1). A test that kills a node restarts it before it
ends (`LocalCluster.restart`, `LocalSentinelSet.restart`), so the next test
finds the whole topology running; roles may have moved.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from reqless.server import ServerKind, find_server_binary
from tests.topology import LocalCluster, LocalSentinelSet, start_cluster, start_sentinel

__all__ = ["cluster", "sentinel_set"]

SERVER_KINDS: list[ServerKind] = ["valkey", "redis"]


def _require(kind: ServerKind) -> None:
    """Skip (or fail, when redis-server is required) if `kind` is not installed."""
    if find_server_binary(kind) is None:
        if kind == "redis" and os.environ.get("REQLESS_REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is required (REQLESS_REQUIRE_REDIS=1) but not installed")
        pytest.skip(f"{kind}-server is not installed")


@pytest.fixture(scope="session", params=SERVER_KINDS)
def cluster(request: pytest.FixtureRequest) -> Iterator[LocalCluster]:
    """A 3-primary, 3-replica cluster of each server kind, shared by the session."""
    kind: ServerKind = request.param
    _require(kind)
    running = start_cluster(kind)
    yield running
    running.stop()


@pytest.fixture(scope="session", params=SERVER_KINDS)
def sentinel_set(request: pytest.FixtureRequest) -> Iterator[LocalSentinelSet]:
    """A primary, a replica and three sentinels of each server kind, shared by the session."""
    kind: ServerKind = request.param
    _require(kind)
    running = start_sentinel(kind)
    yield running
    running.stop()
