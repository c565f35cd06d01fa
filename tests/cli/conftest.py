"""Fixtures of the `reqless` command tests: a runner bound to a flushed server, and a
library client of the same database to set up and check jobs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from reqless.client import Client
from reqless.server import LocalServer
from tests.cli.process import Reqless


@pytest.fixture
def reqless(server: LocalServer, redis: Redis) -> Reqless:
    """Admin commands against a flushed database of each server kind."""
    return Reqless(server.url)


@pytest.fixture
def client(server: LocalServer, redis: Redis) -> Iterator[Client]:
    """A library client of the same (flushed) database, to set up and check jobs."""
    client = Client(server.url, hostname="test-worker")
    yield client
    client.database.close()
