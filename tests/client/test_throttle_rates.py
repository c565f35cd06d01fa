"""Throttle rate windows and templates through both clients: set, read, clear, and
bad input refused with the argument named and nothing written."""

from __future__ import annotations

import time
from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.exceptions import ArgumentError
from reqless.models import ThrottleInfo, ThrottleTemplate
from tests.helpers import snapshot

BOTH_CLIENTS = True
KLASS = "tests.Klass"


def test_a_plain_throttle_has_no_rate_window(client: Client) -> None:
    throttle = client.throttles["smtp"]
    throttle.set_maximum(3)
    assert throttle.info() == ThrottleInfo(name="smtp", maximum=3, ttl=-1)
    assert (throttle.rate(), throttle.per(), throttle.used()) == (None, None, None)
    assert (throttle.reopens(), throttle.template()) == (None, None)


def test_set_rate_keeps_the_maximum_and_counts_starts(client: Client, redis: Redis) -> None:
    throttle = client.throttles["api"]
    throttle.set_maximum(5)
    throttle.set_rate(2, 60)
    assert redis.hgetall("ql:th:api") == {"id": "api", "maximum": "5", "rate": "2", "per": "60"}
    assert (throttle.maximum(), throttle.rate(), throttle.per(), throttle.used()) == (5, 2, 60, 0)
    for jid in ("j1", "j2", "j3"):
        client.queues["q"].put(KLASS, {}, jid=jid, throttles=["api"])
    started = time.time()
    assert [job.jid for job in client.queues["q"].pop(3)] == ["j1", "j2"]
    info = throttle.info()
    assert info.used == 2
    # The window reopens `per` seconds after its first start.
    assert info.reopens is not None and started + 59 < info.reopens < time.time() + 61
    assert throttle.pending() == ["j3"]


def test_clear_rate_lets_held_jobs_go_and_keeps_the_maximum(client: Client) -> None:
    throttle = client.throttles["api"]
    throttle.set(maximum=4, rate=1, per=3600)
    client.queues["q"].put(KLASS, {}, jid="j1", throttles=["api"])
    client.queues["q"].put(KLASS, {}, jid="j2", throttles=["api"])
    assert [job.jid for job in client.queues["q"].pop(2)] == ["j1"]
    throttle.clear_rate()
    assert throttle.info() == ThrottleInfo(name="api", maximum=4, ttl=-1)
    assert [job.jid for job in client.queues["q"].pop(2)] == ["j2"]


def test_set_sets_maximum_rate_and_expiry_in_one_call(client: Client) -> None:
    throttle = client.throttles["api"]
    throttle.set(maximum=2, rate=10, per=0.5, expiration=100)
    info = throttle.info()
    assert (info.maximum, info.rate, info.per) == (2, 10, 0.5)
    assert 0 < info.ttl <= 100
    throttle.set(maximum=3)  # a maximum alone keeps the window
    assert (throttle.maximum(), throttle.rate(), throttle.per()) == (3, 10, 0.5)


def test_templates_define_throttles_by_prefix(client: Client, redis: Redis) -> None:
    client.throttles.template("stripe:*", rate=2, per=60)
    client.throttles.template("stripe:vip-*", maximum=1, rate=5, per=1.5)
    assert client.throttles.templates() == [
        ThrottleTemplate("stripe:*", 0, 2, 60),
        ThrottleTemplate("stripe:vip-*", 1, 5, 1.5),
    ]
    customer = client.throttles["stripe:customer-42"]
    assert (customer.template(), customer.rate(), customer.per()) == ("stripe:*", 2, 60)
    assert client.throttles["stripe:vip-7"].template() == "stripe:vip-*"
    assert redis.exists("ql:th:stripe:customer-42") == 0  # nothing stored per key
    for jid in ("a", "b", "c"):
        client.queues["q"].put(KLASS, {}, jid=jid, throttles=["stripe:customer-42"])
    assert [job.jid for job in client.queues["q"].pop(3)] == ["a", "b"]
    assert customer.used() == 2
    assert client.throttles.delete_template("stripe:*") is True
    assert client.throttles.delete_template("stripe:*") is False
    assert client.throttles.templates() == [ThrottleTemplate("stripe:vip-*", 1, 5, 1.5)]


def test_setting_a_template_again_replaces_it(client: Client) -> None:
    client.throttles.template("smtp:*", maximum=2)
    client.throttles.template("smtp:*", maximum=0, rate=3, per=10)
    assert client.throttles.templates() == [ThrottleTemplate("smtp:*", 0, 3, 10)]


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"rate": 0, "per": 60}, "rate must be a whole number from 1 to 1000000, not 0"),
        ({"rate": -5, "per": 60}, "rate must be"),
        ({"rate": 1.5, "per": 60}, "rate must be"),
        ({"rate": True, "per": 60}, "rate must be"),
        ({"rate": "10", "per": 60}, "rate must be"),
        ({"rate": 1_000_001, "per": 60}, "rate must be"),
        ({"rate": 10, "per": 0}, "per must be a number of seconds above 0 and at most 31622400"),
        ({"rate": 10, "per": -1}, "per must be"),
        ({"rate": 10, "per": float("inf")}, "per must be"),
        ({"rate": 10, "per": float("nan")}, "per must be"),
        ({"rate": 10, "per": 31_622_401}, "per must be"),
        ({"rate": 10}, "per is missing: rate and per go together"),
        ({"per": 10}, "rate is missing: rate and per go together"),
    ],
)
def test_a_bad_rate_window_is_refused_and_writes_nothing(
    client: Client, redis: Redis, options: dict[str, Any], named: str
) -> None:
    client.throttles["api"].set_maximum(2)
    before = snapshot(redis)
    with pytest.raises(ArgumentError, match=named):
        client.throttles["api"].set(**options)
    with pytest.raises(ArgumentError, match=named):
        client.throttles.template("api:*", maximum=1, **options)
    assert snapshot(redis) == before


@pytest.mark.parametrize(
    ("pattern", "options", "named"),
    [
        ("stripe", {"maximum": 1}, "pattern must be a prefix followed by one \\*"),
        ("*", {"maximum": 1}, "pattern must be"),
        ("a*b*", {"maximum": 1}, "pattern must be"),
        ("ql:q:*", {"maximum": 1}, "pattern must be"),
        ("a\n*", {"maximum": 1}, "pattern must be"),
        (7, {"maximum": 1}, "pattern must be"),
        ("stripe:*", {}, "template 'stripe:\\*' limits nothing"),
        ("stripe:*", {"maximum": -1}, "maximum must be a non-negative integer"),
        ("stripe:*", {"maximum": 1.5}, "maximum must be a non-negative integer"),
    ],
)
def test_a_bad_template_is_refused_and_writes_nothing(
    client: Client, redis: Redis, pattern: Any, options: dict[str, Any], named: str
) -> None:
    client.throttles.template("kept:*", maximum=1)
    before = snapshot(redis)
    with pytest.raises(ArgumentError, match=named):
        client.throttles.template(pattern, **options)
    assert snapshot(redis) == before


def test_deleting_a_template_needs_a_pattern(client: Client) -> None:
    with pytest.raises(ArgumentError, match="pattern must be a non-empty string"):
        client.throttles.delete_template("")
