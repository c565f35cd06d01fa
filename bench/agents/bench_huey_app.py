"""The huey application the comparison runs: a no-op task and a pickup stamp.

Loaded by `huey_consumer bench_huey_app.huey` and by `huey_agent.py`, inside huey's
own virtual environment (bench/.venvs/huey). The server URL comes from
`BENCH_REDIS_URL`; `BENCH_HUEY_STORAGE=priority` selects `PriorityRedisHuey`
(a sorted set, BZPOPMIN) instead of `RedisHuey` (a list, BRPOP).
"""

from __future__ import annotations

import os
import time

from huey import PriorityRedisHuey, RedisHuey

PICKUP_KEY = "bench:pickup"

_kind = PriorityRedisHuey if os.environ.get("BENCH_HUEY_STORAGE") == "priority" else RedisHuey
huey = _kind("bench", url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))


@huey.task()  # type: ignore[untyped-decorator]
def noop() -> None:
    """Do nothing."""


@huey.task()  # type: ignore[untyped-decorator]
def stamp(put_time: float) -> None:
    """Record how long after its put this task started."""
    started = time.time()
    huey.storage.conn.rpush(PICKUP_KEY, repr(started - put_time))
