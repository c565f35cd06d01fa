"""Fixtures that own real servers: valkey-server always, redis-server when installed.

Each server starts once per session on a free loopback port with persistence off;
every test gets a flushed database. Set REQLESS_REQUIRE_REDIS=1 (CI does) to make a
missing redis-server an error instead of a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from redis import Redis

from reqless.core import CoreRunner
from reqless.server import LocalServer, ServerKind, find_server_binary, start_server
from tests.helpers import Core
from tests.topology_fixtures import cluster, sentinel_set  # noqa: F401 - shared by all modules

SERVER_KINDS: list[ServerKind] = ["valkey", "redis"]


@pytest.fixture(scope="session", params=SERVER_KINDS)
def server(request: pytest.FixtureRequest) -> Iterator[LocalServer]:
    """A running server of each kind, shared by the whole session."""
    kind: ServerKind = request.param
    if find_server_binary(kind) is None:
        if kind == "redis" and os.environ.get("REQLESS_REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is required (REQLESS_REQUIRE_REDIS=1) but not installed")
        pytest.skip(f"{kind}-server is not installed")
    running = start_server(kind)
    yield running
    running.stop()


@pytest.fixture
def redis(server: LocalServer) -> Iterator[Redis]:
    """A decoded-text connection to a freshly flushed database."""
    client = server.client()
    client.flushall()
    client.script_flush()
    yield client
    client.close()


@pytest.fixture(params=["function", "script"])
def core(redis: Redis, request: pytest.FixtureRequest) -> Core:
    """Calls the raw core with explicit `now` values, in both forms: the function
    library our client uses and the EVALSHA script other clients use."""
    return Core(CoreRunner(redis, mode=request.param), redis)
