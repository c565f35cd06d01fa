"""Pickup: pop from several queues, or block until one of them has work."""

from __future__ import annotations

import threading
import time

from redis import Redis

from reqless.client import Client
from reqless.job import Job
from reqless.pickup import Pickup
from reqless.server import LocalServer


def test_takes_from_the_earlier_queue_first(client: Client) -> None:
    client.queues["b"].put("x.Y", {}, jid="b1")
    client.queues["a"].put("x.Y", {}, jid="a1")
    jobs = Pickup(client).take(["a", "b"], 5, 1.0)
    assert [job.jid for job in jobs] == ["a1", "b1"]
    assert all(job.worker_name == client.worker_name for job in jobs)


def test_a_put_wakes_a_blocked_worker_at_once(server: LocalServer, client: Client) -> None:
    other = Client(server.url, hostname="producer")
    put_at: list[float] = []

    def produce() -> None:
        time.sleep(0.3)
        put_at.append(time.monotonic())
        other.queues["b"].put("x.Y", {}, jid="late")

    thread = threading.Thread(target=produce)
    thread.start()
    started = time.monotonic()
    jobs = Pickup(client).take(["a", "b"], 1, 30.0)
    woke = time.monotonic()
    thread.join()
    assert [job.jid for job in jobs] == ["late"]
    # Woken by the put, not by the 30 s wait (a generous bound for a busy machine).
    assert woke - started < 10
    assert woke >= put_at[0]
    other.database.close()


def test_a_scheduled_job_ends_the_wait_when_it_comes_due(client: Client) -> None:
    client.queues["a"].put("x.Y", {}, jid="soon", delay=0.5)
    pickup = Pickup(client)
    started = time.monotonic()
    jobs: list[Job] = []
    while not jobs and time.monotonic() - started < 10:
        jobs = pickup.take(["a"], 1, 30.0)
    assert [job.jid for job in jobs] == ["soon"]
    assert time.monotonic() - started < 10


def test_an_empty_wait_returns_nothing_and_leaves_keys_that_expire(
    client: Client, redis: Redis
) -> None:
    assert Pickup(client).take(["a"], 1, 0.2) == []
    assert redis.exists("ql:waiting:a") == 1
    assert 0 < redis.pttl("ql:waiting:a") <= 6000


def test_stopping_ends_a_wait_early(client: Client) -> None:
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    assert Pickup(client, stop.is_set).take(["a"], 1, 30.0) == []
    assert time.monotonic() - started < 10


def test_history_and_dependencies_of_a_picked_job_are_fetched_on_use(client: Client) -> None:
    first = client.queues["a"].put("x.Y", {})
    client.queues["a"].put("x.Y", {}, jid="second", depends=[first])
    (job,) = Pickup(client).take(["a"], 1, 1.0)
    assert job.jid == first
    assert [entry["what"] for entry in job.history] == ["put", "popped"]
    assert job.dependents == ["second"]
    assert job.dependencies == []
