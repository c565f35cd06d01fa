"""A wait longer than the connection's socket timeout still waits (docs/results.md):
each BLPOP ends inside the socket timeout and the next one takes over."""

from __future__ import annotations

import threading
import time

from redis import Redis

from reqless.client import Client
from reqless.server import LocalServer


def test_a_wait_outlasts_the_socket_timeout(server: LocalServer, redis: Redis) -> None:
    client = Client(server.url + "?socket_timeout=2", hostname="waiter")
    queue = client.queues["wait-long"]  # `redis` flushed the database first
    jid = queue.put("tests.aio.jobs.Noop", {})
    job = queue.pop()
    assert job is not None

    def finish_later() -> None:
        time.sleep(4.5)
        job.complete(result={"late": True})

    finisher = threading.Thread(target=finish_later)
    finisher.start()
    try:
        outcome = client.jobs.wait(jid, timeout=30)
    finally:
        finisher.join()
    assert (outcome.state, outcome.result) == ("complete", {"late": True})


def test_a_token_lost_on_the_way_does_not_hang_the_wait(server: LocalServer, redis: Redis) -> None:
    # A BLPOP whose reply is lost (a connection given up, a resent command) takes
    # the token with it; the wait then learns the end from the job's own state.
    client = Client(server.url + "?socket_timeout=2", hostname="waiter")
    queue = client.queues["wait-long"]  # `redis` flushed the database first
    jid = queue.put("tests.aio.jobs.Noop", {})
    job = queue.pop()
    assert job is not None

    def finish_and_lose_the_token() -> None:
        # No token will come: as if the one meant for this waiter had been lost.
        thief = Client(server.url, hostname="thief")
        assert thief.database.hdel(thief.keys.job(jid), "waiters") == 1
        job.complete(result=1)

    def wait() -> None:
        results.append(client.jobs.wait(jid, timeout=30))

    results: list[object] = []
    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.5)  # the waiter is registered and blocked before the job ends
    finish_and_lose_the_token()
    waiter.join(timeout=20)
    assert not waiter.is_alive()
    [outcome] = results
    assert (outcome.state, outcome.result) == ("complete", 1)  # type: ignore[attr-defined]
