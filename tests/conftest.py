"""Fixtures that own real servers: valkey-server always, redis-server when installed.

Each server starts once per session on a free loopback port with persistence off;
every test gets a flushed database. Set REQLESS_REQUIRE_REDIS=1 (CI does) to make a
missing redis-server an error instead of a skip.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator

import pytest
from redis import Redis

from reqless.core import CoreRunner
from reqless.server import LocalServer, ServerKind, find_server_binary, start_server
from tests.helpers import Core
from tests.patience import PATIENCE
from tests.topology_fixtures import cluster, sentinel_set  # noqa: F401 - shared by all modules

SERVER_KINDS: list[ServerKind] = ["valkey", "redis"]


#: Fixtures that keep an event loop running in the main thread while they live (Playwright's
#: sync API runs its loop there): a test that uses one may find that loop running.
LOOP_OWNERS = ("playwright_driver",)
#: Loops already reported: a leak fails the test that caused it, not every later one.
_REPORTED_LOOPS: set[int] = set()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Fail the test that leaves an event loop running in the main thread.

    There `asyncio.run` refuses to start, so the leak fails some later test of the
    same process, which one depending on how pytest-xdist shares the tests out.
    Checked once the fixtures the next test does not need are torn down.
    """
    yield
    _check_telemetry_off(item)
    upcoming = getattr(nextitem, "fixturenames", ())
    if any(name in upcoming for name in LOOP_OWNERS):
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    if id(loop) in _REPORTED_LOOPS:
        return
    _REPORTED_LOOPS.add(id(loop))
    raise AssertionError(f"{item.nodeid} left an event loop running in the main thread: {loop!r}")


def _check_telemetry_off(item: pytest.Item) -> None:
    """Fail (and undo) a test that leaves reqless instrumented: the wrapped put and run
    would change every later test of the same process (their calls, their stacks)."""
    otel = sys.modules.get("reqless.otel")
    if otel is None or not otel.is_instrumented():
        return
    otel.uninstrument()
    raise AssertionError(f"{item.nodeid} left reqless.otel instrumented")


@pytest.fixture(scope="session", params=SERVER_KINDS)
def server(request: pytest.FixtureRequest) -> Iterator[LocalServer]:
    """A running server of each kind, shared by the whole session."""
    kind: ServerKind = request.param
    if find_server_binary(kind) is None:
        if kind == "redis" and os.environ.get("REQLESS_REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is required (REQLESS_REQUIRE_REDIS=1) but not installed")
        pytest.skip(f"{kind}-server is not installed")
    running = start_server(kind, timeout=PATIENCE)
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
