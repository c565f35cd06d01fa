"""A job advanced by `job.completeAndRequeue` takes the next queue's cap with it
(the original kept the old list; docs/core-decisions.md says why we do not)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from reqless.client import Client
from reqless.server import LocalServer
from tests.helpers import Core


def test_an_advanced_job_swaps_the_old_queues_throttle_for_the_next(core: Core) -> None:
    core.put(0, "a", "stage1", "throttles", '["t1"]')
    core.pop(1, "stage1")
    assert core("job.completeAndRequeue", 2, "a", "worker", "stage1", "{}", "stage2") == "waiting"
    assert core.job("a")["throttles"] == ["t1", "ql:q:stage2"]


def test_the_next_queues_cap_holds_for_advanced_jobs(core: Core, redis: Redis) -> None:
    core("queue.throttle.set", 0, "stage2", 1)
    for n in range(5):
        core.put(n, f"j{n}", "stage1")
    for job in core.pop(10, "stage1", limit=5):
        core("job.completeAndRequeue", 11, job["jid"], "worker", "stage1", "{}", "stage2")
    running = core.pop(12, "stage2", limit=5)
    assert len(running) == 1
    assert redis.zrange("ql:th:ql:q:stage2-locks", 0, -1) == [running[0]["jid"]]
    assert redis.zcard("ql:th:ql:q:stage1-locks") == 0


@pytest.fixture
def client(server: LocalServer, redis: Redis) -> Iterator[Client]:
    """A public client of the flushed database."""
    made = Client(server.url, hostname="pipeline")
    yield made
    made.database.close()


def test_a_pipelines_second_stage_runs_one_job_at_a_time(client: Client) -> None:
    stage1, stage2 = client.queues["stage1"], client.queues["stage2"]
    stage2.throttle.set_maximum(1)
    for n in range(5):
        stage1.put("app.Step", {"n": n})
    for job in stage1.pop(5):
        assert job.complete("stage2") is True
    assert len(stage2.pop(5)) == 1
    assert stage2.pop(5) == []
