"""Many workers popping one cron schedule at the same instants: each slot spawns exactly
one job (docs/cron.md). Threads and processes each hold their own connection and pass
the same explicit `now`, as workers woken by one slot do."""

from __future__ import annotations

import json
import multiprocessing
import threading
from collections import Counter
from typing import Any

from redis import Redis

from reqless.core import CoreRunner
from tests.helpers import Core

#: Monday 2026-01-05 00:00 UTC, and a minute-by-minute schedule's next hour of slots.
START = 1767571200
SLOTS = [START + 60 * k for k in range(1, 61)]
POPPERS = 8


def _pop_every_slot(url: str, barrier: Any, results: Any) -> None:
    """One worker: at each slot, wait for the others, then pop everything due."""
    runner = CoreRunner(Redis.from_url(url, decode_responses=True))
    popped: list[str] = []
    for now in SLOTS:
        barrier.wait()
        reply = runner.call("queues.pop", "worker", 10, 0, "queue", now=now)
        popped += [job["jid"] for job in json.loads(reply)["jobs"]]
    results.put(popped)


def _check(redis: Redis, popped: list[str]) -> None:
    # Every child popped once, and one child per slot: 60 slots, 60 children.
    assert len(popped) == len(set(popped)) == len(SLOTS)
    times = Counter(round(float(redis.hget(f"ql:j:{jid}", "time") or 0)) for jid in popped)
    assert sorted(times) == SLOTS
    assert set(times.values()) == {1}


def test_threads_popping_at_the_same_instants_spawn_one_job_per_slot(
    redis: Redis, core: Core
) -> None:
    core("queue.recurOnCron", START, "queue", "t", "klass", "{}", "* * * * *")
    url = _url(redis)
    barrier = threading.Barrier(POPPERS)
    results: Any = _Collect()
    threads = [
        threading.Thread(target=_pop_every_slot, args=(url, barrier, results))
        for _ in range(POPPERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    _check(redis, results.all())


def test_processes_popping_at_the_same_instants_spawn_one_job_per_slot(
    redis: Redis, core: Core
) -> None:
    core("queue.recurOnCron", START, "queue", "t", "klass", "{}", "* * * * *")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(POPPERS)
    results = context.Queue()
    processes = [
        context.Process(target=_pop_every_slot, args=(_url(redis), barrier, results))
        for _ in range(POPPERS)
    ]
    for process in processes:
        process.start()
    popped = [jid for _ in processes for jid in results.get(timeout=60)]
    for process in processes:
        process.join(30)
        assert process.exitcode == 0
    _check(redis, popped)


class _Collect:
    """What the threads popped (a multiprocessing queue's `put`, for threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[str] = []

    def put(self, items: list[str]) -> None:
        with self._lock:
            self._items += items

    def all(self) -> list[str]:
        return list(self._items)


def _url(redis: Redis) -> str:
    kwargs = redis.connection_pool.connection_kwargs
    return f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs.get('db', 0)}"
