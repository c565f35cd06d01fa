"""docs/examples/per_customer_api_limit.py runs as docs/concepts.md shows it, and
leaves the server as the page says: per-customer windows from a template, one
customer's burst not delaying another, the burst's group parked on its held job."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from redis import Redis

from reqless.client import Client
from reqless.server import LocalServer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "per_customer_api_limit.py"


def test_the_per_customer_api_limit_example(server: LocalServer, redis: Redis) -> None:
    env = dict(os.environ, REQLESS_URL=server.url)
    result = subprocess.run(
        [sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=50,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "started: customer 42, customer 7, customer 42, customer 42",
        "stripe:customer-42: 3 of 3 starts used (stripe:customer-*)",
        "stripe: 4 of 100 starts used",
        "customer-42: parked on a held charge, 46 more charges waiting",
    ]
    client = Client(server.url)
    try:
        held = client.throttles["stripe:customer-42"].pending()
        assert len(held) == 1
        assert client.queues["charges"].counts["throttled"] == 1
        # No definition was stored for the customer's throttle: the template serves it.
        assert not redis.exists("ql:th:stripe:customer-42")
        (group,) = client.queues["charges"].groups()
        assert group["parked"] == held[0]
    finally:
        client.database.close()
