"""Throttle: maximum, expiry, holders, waiters, delete and release."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.exceptions import ReqlessError
from reqless.throttle import Throttle
from tests.helpers import snapshot


def put(client: Client, jid: str, throttles: list[str], queue: str = "q") -> None:
    client.queues[queue].put("tests.Klass", "{}", jid=jid, throttles=throttles)


def test_throttles_collection_makes_throttles_without_a_server_call(
    client: Client, redis: Redis
) -> None:
    throttle = client.throttles["tid"]
    assert isinstance(throttle, Throttle)
    assert throttle.name == "tid"
    assert repr(throttle) == "<reqless.Throttle 'tid'>"
    assert redis.keys("*") == []


def test_equality_is_by_name_and_client(client: Client) -> None:
    assert client.throttles["a"] == client.throttles["a"]
    assert client.throttles["a"] != client.throttles["b"]
    assert len({client.throttles["a"], client.throttles["a"]}) == 1
    assert client.throttles["a"] != "a"


def test_unknown_throttle_reports_unlimited_and_no_ttl(client: Client) -> None:
    throttle = client.throttles["tid"]
    assert throttle.maximum() == 0
    assert throttle.ttl() == -2
    assert throttle.locks() == []
    assert throttle.pending() == []


def test_set_maximum_without_expiration(client: Client, redis: Redis) -> None:
    throttle = client.throttles["tid"]
    throttle.set_maximum(5)
    assert throttle.maximum() == 5
    assert throttle.ttl() == -1
    assert redis.hgetall("ql:th:tid") == {"id": "tid", "maximum": "5"}


def test_set_maximum_with_expiration(client: Client) -> None:
    throttle = client.throttles["tid"]
    throttle.set_maximum(5, 1000)
    assert throttle.maximum() == 5
    assert 999 <= throttle.ttl() <= 1000


def test_set_maximum_none_keeps_the_current_maximum(client: Client) -> None:
    throttle = client.throttles["tid"]
    throttle.set_maximum(3)
    throttle.set_maximum(expiration=100)
    assert throttle.maximum() == 3
    assert 99 <= throttle.ttl() <= 100


def test_set_maximum_none_on_a_new_throttle_sets_unlimited(client: Client, redis: Redis) -> None:
    client.throttles["tid"].set_maximum()
    assert redis.hgetall("ql:th:tid") == {"id": "tid", "maximum": "0"}
    assert client.throttles["tid"].ttl() == -1


def test_queue_throttle_is_named_after_the_queue(client: Client) -> None:
    throttle = client.queues["q"].throttle
    assert throttle.name == "ql:q:q"
    throttle.set_maximum(2)
    assert client.throttles["ql:q:q"].maximum() == 2


@pytest.mark.parametrize(
    ("maximum", "expiration", "match"),
    [
        (True, None, "maximum must be a number"),
        ("5", None, "maximum must be a number"),
        (5, "10", "expiration must be a number"),
        (5, True, "expiration must be a number"),
        (float("inf"), None, "maximum must be finite"),
        (-1, None, "non-negative integer"),
        (1.5, None, "non-negative integer"),
    ],
)
def test_set_maximum_rejects_bad_input(
    client: Client, redis: Redis, maximum: Any, expiration: Any, match: str
) -> None:
    before = snapshot(redis)
    with pytest.raises(ReqlessError, match=match):
        client.throttles["tid"].set_maximum(maximum, expiration)
    assert snapshot(redis) == before


def test_locks_and_pending(client: Client) -> None:
    client.throttles["tid"].set_maximum(1)
    for jid in ("jid1", "jid2", "jid3"):
        put(client, jid, ["tid"])
    jobs = client.queues["q"].pop(3)
    assert [job.jid for job in jobs] == ["jid1"]
    assert client.throttles["tid"].locks() == ["jid1"]
    assert client.throttles["tid"].pending() == ["jid2", "jid3"]
    assert client.throttles["ql:q:q"].locks() == ["jid1"]


def test_completing_a_holder_frees_its_slot(client: Client) -> None:
    client.throttles["tid"].set_maximum(1)
    put(client, "jid1", ["tid"])
    put(client, "jid2", ["tid"])
    first = client.queues["q"].pop()
    assert first is not None
    assert client.queues["q"].pop() is None
    first.complete()
    assert client.throttles["tid"].locks() == []
    assert client.throttles["tid"].pending() == []
    second = client.queues["q"].pop()
    assert second is not None and second.jid == "jid2"
    assert client.throttles["tid"].locks() == ["jid2"]


def test_delete_keeps_holders_and_makes_it_unlimited(client: Client, redis: Redis) -> None:
    throttle = client.throttles["tid"]
    throttle.set_maximum(1, 100)
    put(client, "jid1", ["tid"])
    client.queues["q"].pop()
    throttle.delete()
    assert redis.exists("ql:th:tid") == 0
    assert throttle.maximum() == 0
    assert throttle.ttl() == -2
    assert throttle.locks() == ["jid1"]
    throttle.delete()  # deleting an unknown throttle is fine


def test_release_frees_a_slot_and_moves_the_waiter_back(client: Client) -> None:
    throttle = client.throttles["tid"]
    throttle.set_maximum(1)
    put(client, "jid1", ["tid"])
    put(client, "jid2", ["tid"])
    client.queues["q"].pop(2)
    assert throttle.pending() == ["jid2"]
    throttle.release("jid1", "jid2")
    assert throttle.locks() == []
    assert throttle.pending() == []
    peeked = client.queues["q"].peek()
    assert peeked is not None and peeked.jid == "jid2"


def test_release_without_jids_does_nothing(client: Client, redis: Redis) -> None:
    client.throttles["tid"].set_maximum(1)
    before = snapshot(redis)
    client.throttles["tid"].release()
    assert snapshot(redis) == before
