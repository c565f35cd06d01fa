"""Fixtures of the fault tests: each installed server kind."""

from __future__ import annotations

import os

import pytest

from reqless.server import ServerKind, find_server_binary


@pytest.fixture(params=["valkey", "redis"])
def kind(request: pytest.FixtureRequest) -> ServerKind:
    """Each server kind that is installed (redis is required when CI says so)."""
    chosen: ServerKind = request.param
    if find_server_binary(chosen) is None:
        if chosen == "redis" and os.environ.get("REQLESS_REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is required")
        pytest.skip(f"{chosen}-server is not installed")
    return chosen
