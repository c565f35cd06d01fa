"""A small world of real jobs in every state, shared by the read-side tests."""

from __future__ import annotations

from dataclasses import dataclass

from reqless.client import Client


@dataclass
class World:
    waiting: str
    scheduled: str
    depends: str
    running: str
    failed: str
    complete: str
    stalled: str
    throttled_running: str
    throttled: str
    recurring: str


def build_world(client: Client) -> World:
    """Queue `q` holds one job of each common state; `tq` a throttled pair; `sq` a stalled job."""
    q = client.queues["q"]
    q.put("pkg.Waiting", {"n": 1, "password": "hunter2"}, jid="w1", tags=["t1", "t2"])
    q.put("pkg.Scheduled", {}, jid="s1", delay=3600)
    q.put("pkg.Depends", {}, jid="d1", depends=["w1"])
    q.put("pkg.Run", {}, jid="r1", priority=100)
    q.put("pkg.Fail", {"token": "abc"}, jid="f1", priority=99, tags=["t1"])
    q.put("pkg.Done", {}, jid="c1", priority=98, tags=["t2"])
    popped = q.pop(3)
    by_jid = {job.jid: job for job in popped}
    assert set(by_jid) == {"r1", "f1", "c1"}
    by_jid["f1"].fail("g1", "boom password=hunter2\nsecond line")
    by_jid["c1"].complete()

    client("queue.throttle.set", "tq", 1)
    tq = client.queues["tq"]
    tq.put("pkg.T", {}, jid="ta")
    tq.put("pkg.T", {}, jid="tb")
    tq.pop(2)

    client("config.set", "sq-heartbeat", -10)  # the library refuses it; the core does not
    sq = client.queues["sq"]
    sq.put("pkg.Stall", {}, jid="st1")
    sq.pop()

    q.recur("pkg.Recur", {"every": "hour"}, 3600, offset=3600, jid="rec1")
    return World(
        waiting="w1",
        scheduled="s1",
        depends="d1",
        running="r1",
        failed="f1",
        complete="c1",
        stalled="st1",
        throttled_running="ta",
        throttled="tb",
        recurring="rec1",
    )
