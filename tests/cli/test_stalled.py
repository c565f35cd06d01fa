"""`reqless jobs --state stalled` and `reqless queues` count and list as stalled the
jobs the next pop hands to another worker: expired locks and handed-back jobs."""

from __future__ import annotations

from redis import Redis

from tests.cli.process import Reqless
from tests.stalled_jobs import QUEUE, STALLED, make_stalled_jobs


def test_jobs_lists_handed_back_and_expired_jobs_as_stalled(reqless: Reqless, redis: Redis) -> None:
    make_stalled_jobs(redis)
    result = reqless("jobs", QUEUE, "--state", "stalled", "--json")
    assert result.code == 0, result.err
    assert result.json() == STALLED
    table = reqless("jobs", QUEUE, "--state", "stalled")
    assert "handed" in table.out and "expired" in table.out and "waits" not in table.out


def test_queues_counts_handed_back_jobs_as_stalled(reqless: Reqless, redis: Redis) -> None:
    make_stalled_jobs(redis)
    result = reqless("queues", "--json")
    assert result.code == 0, result.err
    [row] = result.json()
    assert (row["name"], row["waiting"], row["stalled"], row["running"]) == (QUEUE, 1, 2, 0)
