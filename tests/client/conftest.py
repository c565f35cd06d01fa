"""Fixtures of the client tests: a real client on a flushed database.

A test module that sets `BOTH_CLIENTS = True` runs each of its tests that take
`client` (or `client_kind`) twice: through `reqless.Client`, then through
`reqless.aio.AsyncClient` behind the sync API (`tests/client/sync_adapter.py`).
Tests named in the module's `SYNC_ONLY` run through the sync client alone.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from reqless.client import Client
from reqless.server import LocalServer
from tests.client.sync_adapter import Kind, open_client


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize `client_kind` over both clients in modules that ask for it."""
    if "client_kind" not in metafunc.fixturenames:
        return
    if not getattr(metafunc.module, "BOTH_CLIENTS", False):
        return
    if metafunc.function.__name__ in getattr(metafunc.module, "SYNC_ONLY", ()):
        return
    metafunc.parametrize("client_kind", ["sync", "async"], indirect=True)


@pytest.fixture
def client_kind(request: pytest.FixtureRequest) -> Kind:
    """Which client the test runs through: "sync" unless parametrized (see the module)."""
    kind: Kind = getattr(request, "param", "sync")
    return kind


@pytest.fixture
def client(client_kind: Kind, server: LocalServer, redis: Redis) -> Iterator[Client]:
    """A client of `server`, created after the `redis` fixture flushed the database."""
    with open_client(client_kind, server.url, hostname="test-worker") as made:
        yield made
