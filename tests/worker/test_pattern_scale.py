"""A real worker serving `-q 'tenant-*'` over 2,000 queues (issue 20).

Only that every job completes is asserted here: how fast is measured by the
benchmark (`python -m bench --only patterns`).
"""

from __future__ import annotations

from redis import Redis

from reqless.client import Client
from tests.worker.conftest import JobsModule, StartWorker, wait_for

QUEUES = [f"tenant-{i:04d}" for i in range(2000)]


def completed(redis: Redis) -> int:
    return int(redis.zcard("ql:completed"))


def test_a_pattern_over_2000_queues_drains_a_busy_queue_spread_jobs_and_new_queues(
    client: Client, redis: Redis, start_worker: StartWorker, jobs_module: JobsModule
) -> None:
    for name in QUEUES:
        client.queues[name].put(jobs_module.klass, {})
    busy = client.queues[QUEUES[1500]].put_many([{"klass": jobs_module.klass, "data": {}}] * 300)
    assert len(busy) == 300
    worker = start_worker("-q", "tenant-*", "--workers", "2")
    total = len(QUEUES) + 300
    wait_for(lambda: completed(redis) >= total, 120, "every job done")
    assert completed(redis) == total
    # A queue that appears after the worker started, while it is idle.
    late = client.queues["tenant-late"].put(jobs_module.klass, {})
    wait_for(lambda: redis.zscore("ql:completed", late) is not None, message="the new queue served")
    assert worker.process.poll() is None
