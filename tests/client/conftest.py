"""Fixtures of the client tests: a real `reqless.client.Client` on a flushed database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from reqless.client import Client
from reqless.server import LocalServer


@pytest.fixture
def client(server: LocalServer, redis: Redis) -> Iterator[Client]:
    """A client of `server`, created after the `redis` fixture flushed the database."""
    made = Client(server.url, hostname="test-worker")
    yield made
    made.database.close()
