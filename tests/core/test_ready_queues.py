"""queues.ready, and queues.pop passing over queues it could pop nothing from.

Both serve a worker that resolves many queues (`-q 'tenant-*'`): it asks which
queues hold anything, then pops from those few (see reqless/queue_windows.py).
"""

from __future__ import annotations

import pytest
from redis import Redis

from reqless.exceptions import CoreError
from tests.helpers import Core


def ready(core: Core, now: float, *queues: str) -> list[str]:
    reply: list[str] = core.json("queues.ready", now, *queues)
    return reply


def test_lists_the_queues_with_jobs_in_the_order_given(core: Core) -> None:
    core.put(0, "w", "waiting")
    core.put(0, "s", "scheduled", delay=100)
    core.put(0, "r", "running")
    core("queue.pop", 1, "running", "worker", 1)
    core("queue.recurAtInterval", 1, "recurring", "t", "klass", "{}", 60, 0)
    core.put(0, "e", "emptied")
    core("job.cancel", 1, "e")
    queues = ["running", "nothing", "emptied", "scheduled", "waiting", "recurring"]
    assert ready(core, 2, *queues) == ["running", "scheduled", "waiting", "recurring"]
    assert ready(core, 2, "nothing") == []


def test_leaves_out_paused_queues(core: Core) -> None:
    core.put(0, "a1", "a")
    core.put(0, "b1", "b")
    core("queue.pause", 1, "a")
    assert ready(core, 2, "a", "b") == ["b"]


def test_writes_nothing(core: Core, redis: Redis) -> None:
    core.put(0, "s", "scheduled", delay=1)
    before = {key: redis.dump(key) for key in redis.keys("*")}
    assert ready(core, 50, "scheduled", "other") == ["scheduled"]
    assert {key: redis.dump(key) for key in redis.keys("*")} == before


@pytest.mark.parametrize("queues", [(), ("a", "")])
def test_refuses_a_missing_queue_name(core: Core, queues: tuple[str, ...]) -> None:
    with pytest.raises(CoreError, match=r"Ready\(\): no queue name provided"):
        core("queues.ready", 1, *queues)


def test_a_pop_over_many_queues_looks_only_into_those_with_jobs(core: Core, redis: Redis) -> None:
    names = [f"tenant-{i}" for i in range(200)]
    core.put(0, "last", names[-1])
    redis.config_resetstat()
    reply = core.json("queues.pop", 1, "worker", 1, 0, *names)
    assert [job["jid"] for job in reply["jobs"]] == ["last"]
    stats = redis.info("commandstats")
    # An empty queue costs its ZREM of the waiting set and one EXISTS; the
    # pop's own reads (paused set, configuration) are made for the last queue only.
    assert stats["cmdstat_exists"]["calls"] <= len(names) + 1
    assert stats["cmdstat_sismember"]["calls"] == 1
    assert core.json("workers.counts", 2)[0]["name"] == "worker"


def test_a_pop_over_empty_queues_still_registers_the_worker(core: Core) -> None:
    assert core.json("queues.pop", 1, "worker", 1, 0, "a", "b") == {"jobs": []}
    assert [w["name"] for w in core.json("workers.counts", 2)] == ["worker"]
