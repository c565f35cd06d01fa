"""The UI on each server kind the product supports: Valkey and Debian's Redis 7.0.

The other UI tests run on Valkey only. The UI reads the server's INFO and CONFIG
and calls every core read command, whose replies could differ by server, so every
page and read endpoint is requested here once on each kind, with jobs in every state.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis
from starlette.testclient import TestClient

from reqless.client import Client
from reqless.server import LocalServer
from reqless.ui import create_app
from tests.ui.browser.site import LISTS, QUEUE_TABS

API = [
    "/api/v1/summary",
    "/api/v1/queues?with_stats=1",
    "/api/v1/queues/work",
    "/api/v1/queues/work/stats",
    "/api/v1/queues/work/history?days=7",
    "/api/v1/failed",
    "/api/v1/tracked",
    "/api/v1/completed",
    "/api/v1/recurring",
    "/api/v1/workers",
    "/api/v1/throttles",
    "/api/v1/tags",
    "/api/v1/config",
    "/api/v1/queue-patterns",
    "/api/v1/info",
    "/api/v1/openapi.json",
    "/api/v1/search?q=error:boom",
    "/healthz",
]


@pytest.fixture
def filled(server: LocalServer, redis: Redis) -> Iterator[tuple[Client, dict[str, str]]]:
    client = Client(server.url, hostname="both-servers-worker", retry_window=0)
    work = client.queues["work"]
    done = work.put("app.Done", {}, tags=["shared"])
    work.pop().complete()  # type: ignore[union-attr]
    failed = work.put("app.Fails", {"password": "hidden"}, tags=["shared"])
    work.pop().fail("work-Error", "boom\nline 2")  # type: ignore[union-attr]
    running = work.put("app.Runs", {})
    work.pop()
    waiting = work.put("app.Waits", {}, priority=5)
    work.put("app.Later", {}, delay=600)
    work.put("app.After", {}, depends=[waiting])
    work.recur("app.Every", {}, 60, jid="every-minute")
    client.track(waiting)
    client.throttles["api"].set_maximum(2)
    yield client, {"done": done, "failed": failed, "running": running, "waiting": waiting}
    client.database.close()


def test_every_page_and_read_endpoint_answers_on_each_server(
    filled: tuple[Client, dict[str, str]],
) -> None:
    client, jids = filled
    paths = [
        *LISTS,
        *(f"/queues/work/{tab}" for tab in QUEUE_TABS),
        *(f"/jobs/{jid}" for jid in jids.values()),
        *(f"/api/v1/jobs/{jid}" for jid in jids.values()),
        "/jobs/every-minute",
        "/failed/work-Error",
        "/workers/both-servers-worker",
        "/throttles/api",
        "/tags/shared",
        *API,
    ]
    with TestClient(create_app(client), base_url="http://127.0.0.1") as http:
        failures = {path: http.get(path).status_code for path in paths}
    assert {path: status for path, status in failures.items() if status != 200} == {}
