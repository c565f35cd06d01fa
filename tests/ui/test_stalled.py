"""The UI counts and lists as stalled the jobs the next pop hands to another worker:
expired locks and jobs handed back with `job.timeout`, on each server kind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis
from starlette.testclient import TestClient

from reqless.client import Client
from reqless.server import LocalServer
from reqless.ui import create_app
from tests.stalled_jobs import QUEUE, STALLED, make_stalled_jobs


@pytest.fixture
def http(server: LocalServer, redis: Redis) -> Iterator[TestClient]:
    make_stalled_jobs(redis)
    client = Client(server.url, hostname="stalled-ui", retry_window=0)
    with TestClient(create_app(client), base_url="http://127.0.0.1") as test_client:
        yield test_client
    client.database.close()


def _counts(reply: dict[str, object]) -> tuple[object, object]:
    counts = reply["counts"]
    assert isinstance(counts, dict)
    return counts["waiting"], counts["stalled"]


def test_queue_counts_show_handed_back_jobs_as_stalled(http: TestClient) -> None:
    assert _counts(http.get(f"/api/v1/queues/{QUEUE}").json()) == (1, 2)
    [listed] = http.get("/api/v1/queues").json()["items"]
    assert _counts(listed) == (1, 2)


def test_stalled_tab_lists_handed_back_and_expired_jobs(http: TestClient) -> None:
    reply = http.get(f"/api/v1/queues/{QUEUE}/jobs", params={"state": "stalled"}).json()
    assert [row["jid"] for row in reply["items"]] == STALLED
    assert reply["total"] == 2
    page = http.get(f"/queues/{QUEUE}/stalled")
    assert page.status_code == 200
    assert "handed" in page.text and "expired" in page.text


def test_search_by_state_walks_handed_back_jobs_once(http: TestClient) -> None:
    reply = http.get("/api/v1/search", params={"q": "state:stalled"}).json()
    assert sorted(row["jid"] for row in reply["items"]) == sorted(STALLED)
