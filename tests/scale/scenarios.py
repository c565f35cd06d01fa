"""The client's public API as scenarios, each written once for every scale target.

A scenario is an `async def` taking a `ScaleSurface`; test_scenarios.py runs
each through `reqless.Client` and `reqless.aio.AsyncClient`, on one server in a
namespace, on a cluster (namespaces on each primary) and through Sentinel. The
checks go through the public API; the few that look at keys name them with
`client.keys`, so they hold in every namespace.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from reqless.exceptions import LostLockError, ReqlessError
from tests.patience import PATIENCE
from tests.scale.surface import ScaleSurface, Scenario

__all__ = ["SCENARIOS"]

KLASS = "tests.aio.jobs.Noop"


async def put(s: ScaleSurface, queue: str = "q", data: Any = None, **options: Any) -> str:
    """Put a job into `queue`; returns its jid."""
    jid: str = await s(lambda c: c.queues[queue].put(KLASS, data or {}, **options))
    return jid


async def pop(s: ScaleSurface, queue: str = "q") -> Any:
    """Pop one job of `queue` (or None)."""
    return await s(lambda c: c.queues[queue].pop())


async def state(s: ScaleSurface, jid: str) -> str | None:
    """The state of job `jid`, None when there is no such job."""
    found = await s.job(jid)
    return str(found[0].state) if found else None


async def until(condition: Any, seconds: float = PATIENCE) -> None:
    """Wait (yielding to the loop) until `condition()` is truthy."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.01)


async def put_pop_complete(s: ScaleSurface) -> None:
    jid = await put(s, data={"n": 1})
    job = await pop(s)
    assert (job.jid, job.state, job.worker_name) == (jid, "running", "test-worker")
    assert json.loads(job.data) == {"n": 1}
    assert await s(lambda c: job.complete()) == "complete"
    assert await state(s, jid) == "complete"
    assert await s(lambda c: c.jobs.complete()) == [jid]
    assert s.raw.hget(s.client.keys.job(jid), "state") == "complete"
    assert await pop(s) is None


async def fail_and_retry(s: ScaleSurface) -> None:
    failing = await put(s)
    job = await pop(s)
    assert await s(lambda c: job.fail("broken", "it broke")) is True
    assert await s(lambda c: c.jobs.failed()) == {"broken": 1}
    group = await s(lambda c: c.jobs.failed("broken"))
    assert [j.jid for j in group["jobs"]] == [failing]
    assert group["jobs"][0].failure["message"] == "it broke"
    assert await s(lambda c: c.unfail("broken", "q")) == 1
    assert await state(s, failing) == "waiting"
    again = await pop(s)
    assert await s(lambda c: again.retry(0, "flaky", "try again")) == 4
    retried = await pop(s)
    assert (retried.jid, retried.retries_left) == (failing, 4)


async def requeue(s: ScaleSurface) -> None:
    jid = await put(s, data={"v": 1})
    moved = await s(lambda c: c.queues["other"].requeue(KLASS, {"v": 2}, jid=jid))
    assert moved == jid
    job = (await s.job(jid))[0]
    assert (job.queue_name, json.loads(job.data)) == ("other", {"v": 2})
    assert await s.length("q") == 0 and await s.length("other") == 1
    with pytest.raises(ReqlessError, match="does not exist"):
        await s(lambda c: c.queues["q"].requeue(KLASS, {}, jid="missing"))


async def priorities(s: ScaleSurface) -> None:
    low = await put(s, priority=-1)
    middle = await put(s)
    high = await put(s, priority=10)
    popped = await s(lambda c: c.queues["q"].pop(3))
    assert [job.jid for job in popped] == [high, middle, low]


async def scheduled(s: ScaleSurface) -> None:
    later = await put(s, delay=600)
    now = await put(s)
    assert await s(lambda c: c.queues["q"].jobs.scheduled()) == [later]
    assert await state(s, later) == "scheduled"
    assert (await pop(s)).jid == now
    assert await pop(s) is None
    assert (await s.counts("q"))["scheduled"] == 1


async def depends(s: ScaleSurface) -> None:
    first = await put(s)
    waiting = await put(s, depends=[first])
    assert await state(s, waiting) == "depends"
    assert await s(lambda c: c.queues["q"].jobs.depends()) == [waiting]
    assert (await s.job(waiting))[0].dependencies == [first]
    assert sorted(s.raw.smembers(s.client.keys.dependents(first))) == [waiting]
    job = await pop(s)
    assert job.jid == first and await pop(s) is None
    await s(lambda c: job.complete())
    assert await state(s, waiting) == "waiting"
    assert (await pop(s)).jid == waiting


async def tags(s: ScaleSurface) -> None:
    one = await put(s, tags=["red", "big"])
    two = await put(s, tags=["red"])
    tagged = await s(lambda c: c.jobs.tagged("red"))
    assert tagged["total"] == 2 and sorted(tagged["jobs"]) == sorted([one, two])
    assert await s(lambda c: c.tags()) == ["red"]
    job = (await s.job(two))[0]
    assert await s(lambda c: job.tag("blue")) == ["red", "blue"]
    assert await s(lambda c: job.untag("red")) == ["blue"]
    assert (await s(lambda c: c.jobs.tagged("red")))["jobs"] == [one]


async def tracked(s: ScaleSurface) -> None:
    jid = await put(s)
    assert await s(lambda c: c.track(jid)) is True
    assert await s(lambda c: c.track(jid)) is False
    found = await s(lambda c: c.jobs.tracked())
    assert [j.jid for j in found["jobs"]] == [jid] and found["expired"] == []
    assert s.raw.zscore(s.client.keys.TRACKED, jid) is not None
    assert await s(lambda c: c.untrack(jid)) is True
    assert (await s(lambda c: c.jobs.tracked()))["jobs"] == []


async def cancel(s: ScaleSurface) -> None:
    first = await put(s)
    waiting = await put(s, depends=[first])
    job = (await s.job(first))[0]
    with pytest.raises(ReqlessError, match="depend"):
        await s(lambda c: job.cancel())
    assert await state(s, first) == "waiting"
    dependent = (await s.job(waiting))[0]
    assert await s(lambda c: dependent.cancel()) == [waiting]
    assert await s(lambda c: job.cancel()) == [first]
    assert await s.job(first) == [] and await s.length("q") == 0
    assert not s.raw.exists(s.client.keys.job(first))


async def put_many(s: ScaleSurface) -> None:
    items = [{"klass": KLASS, "data": {"n": n}, "tags": ["bulk"]} for n in range(7)]
    jids = await s(lambda c: c.queues["q"].put_many(items, chunk_size=3))
    assert len(set(jids)) == 7
    popped = await s(lambda c: c.queues["q"].pop(10))
    assert [job.jid for job in popped] == jids
    assert [json.loads(job.data)["n"] for job in popped] == list(range(7))
    assert (await s(lambda c: c.jobs.tagged("bulk")))["total"] == 7


async def recurring(s: ScaleSurface) -> None:
    jid = await s(lambda c: c.queues["q"].recur(KLASS, {"r": 1}, interval=60, tags=["t"]))
    assert await s(lambda c: c.queues["q"].jobs.recurring()) == [jid]
    spawned = await pop(s)
    assert spawned.spawned_from_jid == jid and spawned.tags == ["t"]
    assert await pop(s) is None  # the next one is a minute away
    template = await s(lambda c: c.jobs.get_recurring(jid))
    assert template.interval == 60 and template.count == 1
    assert s.raw.exists(s.client.keys.recurring(jid))
    assert await s(lambda c: template.cancel()) == [jid]
    assert await s(lambda c: c.queues["q"].jobs.recurring()) == []


async def throttles(s: ScaleSurface) -> None:
    throttle = s.client.throttles["th"]
    await s(lambda c: throttle.set_maximum(1))
    assert await s(lambda c: throttle.maximum()) == 1
    first = await put(s, throttles=["th"])
    second = await put(s, throttles=["th"])
    popped = await s(lambda c: c.queues["q"].pop(2))
    assert [job.jid for job in popped] == [first]
    assert await s(lambda c: throttle.locks()) == [first]
    assert await s(lambda c: throttle.pending()) == [second]
    await s(lambda c: popped[0].complete())
    assert (await pop(s)).jid == second
    assert s.raw.hget(s.client.keys.throttle("th"), "maximum") == "1"


async def config(s: ScaleSurface) -> None:
    assert await s(lambda c: c.config.get("heartbeat")) == 60
    if s.is_async:
        await s.client.config.set("heartbeat", 7)
    else:
        s.client.config["heartbeat"] = 7
    assert await s(lambda c: c.config.get("heartbeat")) == 7
    assert s.raw.hget(s.client.keys.CONFIG, "heartbeat") == "7"
    await put(s)
    job = await pop(s)
    assert 5 < job.ttl <= 7


async def queue_counts(s: ScaleSurface) -> None:
    await put(s, "a")
    await put(s, "a")
    await put(s, "b", delay=600)
    await pop(s, "a")
    counts = await s.counts("a")
    assert (counts["waiting"], counts["running"], counts["scheduled"]) == (1, 1, 0)
    if s.is_async:
        every, names = await s.client.queues.counts(), await s.client.queues.names()
    else:
        every, names = s.client.queues.counts, s.client.queues.names
    assert names == ["a", "b"]
    assert [(entry["name"], entry["scheduled"]) for entry in every] == [("a", 0), ("b", 1)]


async def job_history(s: ScaleSurface) -> None:
    jid = await put(s)
    job = await pop(s)
    await s(lambda c: job.log("halfway", {"step": 2}))
    await s(lambda c: job.complete())
    history = (await s.job(jid))[0].history
    assert [entry["what"] for entry in history] == ["put", "popped", "halfway", "done"]
    assert history[0]["queue"] == "q" and history[1]["worker"] == "test-worker"
    assert history[2]["step"] == 2


async def heartbeat(s: ScaleSurface) -> None:
    await put(s)
    job = await pop(s)
    locks = s.client.keys.queue("q", "locks")
    before = float(s.raw.zscore(locks, job.jid) or 0)
    assert before == pytest.approx(job.expires_at)
    await asyncio.sleep(0.01)
    renewed = await s(lambda c: job.heartbeat())
    after = float(s.raw.zscore(locks, job.jid) or 0)
    # The reply is an integer reply: the stored deadline, its fraction cut off.
    assert after > before and renewed == job.expires_at == int(after)


async def lock_lost(s: ScaleSurface) -> None:
    jid = await put(s)
    mine = await pop(s)
    other = s.peer("intruder")
    theirs = await s(lambda c: other.jobs.get_job(jid))
    with pytest.raises(LostLockError) as refused:
        await s(lambda c: theirs.complete())
    assert refused.value.jid == jid
    with pytest.raises(LostLockError):
        await s(lambda c: theirs.heartbeat())
    job = (await s.job(jid))[0]
    assert (job.state, job.worker_name) == ("running", "test-worker")
    assert await s(lambda c: mine.complete()) == "complete"


async def events(s: ScaleSurface) -> None:
    seen: list[tuple[str, str]] = []
    listener = s.client.events
    for evt in ("put", "popped", "completed"):
        listener.on(evt, lambda jid, evt=evt: seen.append((evt, jid)))
    jid = await put(s)
    await s(lambda c: c.track(jid))

    async def act() -> None:
        await put(s, jid=jid, replace=True)
        job = await pop(s)
        await s(lambda c: job.complete())
        await until(lambda: len(seen) >= 3)

    if s.is_async:
        async with listener.listening():
            await act()
    else:
        with listener.thread():
            await act()
    assert seen == [("put", jid), ("popped", jid), ("completed", jid)]
    assert listener.channels[0].startswith(s.client.keys.prefix)


async def unique(s: ScaleSurface) -> None:
    first = await put(s, data={"n": 1}, unique="invoice:42")
    assert await put(s, data={"n": 2}, unique="invoice:42") == first
    assert await s.length("q") == 1
    assert await s(lambda c: c.jobs.unique_holder("invoice:42")) == first
    assert s.raw.get(s.client.keys.unique("invoice:42")) == first
    job = await pop(s)
    await s(lambda c: job.complete())
    assert await s(lambda c: c.jobs.unique_holder("invoice:42")) is None
    assert await put(s, unique="invoice:42") != first


async def cron(s: ScaleSurface) -> None:
    jid = await s(lambda c: c.queues["q"].recur(
        KLASS, {}, cron="30 9 * * mon-fri", timezone="Europe/Berlin", jid="daily"
    ))  # fmt: skip
    assert jid == "daily"
    template = await s(lambda c: c.jobs.get_recurring("daily"))
    assert (template.cron, template.timezone, template.paused) == (
        "30 9 * * mon-fri", "Europe/Berlin", False,
    )  # fmt: skip
    times = await s(lambda c: template.next_fire_times(3))
    assert len(times) == 3 and times == sorted(times) and times[0].timestamp() > time.time()
    assert template.slot == times[0].timestamp()
    await s(lambda c: template.pause())
    assert (await s(lambda c: c.jobs.get_recurring("daily"))).paused is True
    assert await s(lambda c: c.queues["q"].jobs.recurring()) == ["daily"]


#: Every scenario, by name.
SCENARIOS: dict[str, Scenario] = {
    scenario.__name__: scenario
    for scenario in (
        put_pop_complete, fail_and_retry, requeue, priorities, scheduled, depends, tags,
        tracked, cancel, put_many, recurring, throttles, config, queue_counts, job_history,
        heartbeat, lock_lost, events, unique, cron,
    )
}  # fmt: skip
