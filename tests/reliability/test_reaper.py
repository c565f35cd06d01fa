"""The sweep for expired locks in queues nobody pops (reqless.workers.reaper)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from reqless.client import Client
from reqless.server import LocalServer, free_port
from reqless.workers.reaper import Reaper


@pytest.fixture
def client(server: LocalServer, redis: Redis) -> Iterator[Client]:
    """A client on the flushed database; grace period off unless a test sets it."""
    made = Client(server.url, hostname="sweeper")
    made.config["grace-period"] = 0
    yield made
    made.database.close()


def popped_by_a_dead_worker(client: Client, heartbeat: int, queue: str = "q", **put: object) -> str:
    """A jid popped by `dead` with a lock of `heartbeat` seconds (negative: expired)."""
    # Below zero through the core itself: the client refuses it, the core allows it.
    client("config.set", "heartbeat", heartbeat)
    jid = client.queues[queue].put("jobs.Any", {}, **put)  # type: ignore[arg-type]
    dead = Client(_url(client), hostname="dead")
    job = dead.queues[queue].pop()
    dead.database.close()
    assert job is not None and job.jid == jid
    return jid


def _url(client: Client) -> str:
    kwargs = client.database.connection_pool.connection_kwargs
    return f"redis://{kwargs['host']}:{kwargs['port']}/0"


def test_a_job_whose_lock_expired_long_ago_is_retried(client: Client) -> None:
    jid = popped_by_a_dead_worker(client, heartbeat=-10)
    assert Reaper(client, margin=3).sweep() == [jid]
    job = client.jobs.get_job(jid)
    # One retry used up and back in its queue, as the job.retry command does
    # (docs/core-commands.md).
    assert (job.state, job.retries_left) == ("waiting", 4)
    assert client.workers["dead"]["jobs"] == []
    taken = client.queues["q"].pop()
    assert taken is not None and taken.jid == jid


def test_live_and_recently_expired_locks_are_left_alone(client: Client) -> None:
    live = popped_by_a_dead_worker(client, heartbeat=60)
    recent = popped_by_a_dead_worker(client, heartbeat=-1)
    assert Reaper(client, margin=3).sweep() == []
    assert [client.jobs.get_job(jid).state for jid in (live, recent)] == ["running", "running"]
    assert client.jobs.get_job(recent).worker_name == "dead"


def test_the_grace_period_is_waited_out_first(client: Client) -> None:
    jid = popped_by_a_dead_worker(client, heartbeat=-10)
    client.config["grace-period"] = 20
    assert Reaper(client, margin=3).sweep() == []
    client.config["grace-period"] = 5
    assert Reaper(client, margin=3).sweep() == [jid]


def test_a_job_out_of_retries_fails_and_frees_its_throttle(client: Client) -> None:
    client.throttles["one"].set_maximum(1)
    jid = popped_by_a_dead_worker(client, heartbeat=-10, retries=0, throttles=["one"])
    assert client.throttles["one"].locks() == [jid]
    assert Reaper(client, margin=3).sweep() == [jid]
    job = client.jobs.get_job(jid)
    assert job.state == "failed"
    assert job.failure["group"] == "failed-retries-q"
    assert client.throttles["one"].locks() == []


def test_every_known_queue_is_swept(client: Client) -> None:
    jids = {popped_by_a_dead_worker(client, heartbeat=-10, queue=name) for name in "abc"}
    assert set(Reaper(client, margin=3).sweep()) == jids


def test_tick_sweeps_once_per_interval(client: Client) -> None:
    reaper = Reaper(client, interval=3600, margin=3)
    jid = popped_by_a_dead_worker(client, heartbeat=-10)
    assert reaper.tick() == []  # the first sweep is an interval away
    reaper._next = 0
    assert reaper.tick() == [jid]


def test_tick_survives_an_unreachable_server() -> None:
    gone = Client(f"redis://127.0.0.1:{free_port()}/0", retry_window=0)
    reaper = Reaper(gone, interval=0)
    assert reaper.tick() == []
    gone.database.close()


def test_tick_does_not_wait_for_a_server_that_is_down() -> None:
    # A 60 s retry window would hold the caller for a minute if tick used it.
    gone = Client(f"redis://127.0.0.1:{free_port()}/0", retry_window=60)
    try:
        assert Reaper(gone, interval=0).tick() == []
    finally:
        gone.database.close()
