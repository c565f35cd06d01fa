"""Queue.put_many: many jobs in a few atomic calls, with put's checks and options."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.exceptions import ReqlessError
from tests.helpers import snapshot

KLASS = "tests.jobs.Noop"


def test_jids_come_back_in_order_and_jobs_pop_in_order(client: Client) -> None:
    queue = client.queues["q"]
    jids = queue.put_many(({"klass": KLASS, "data": {"n": n}} for n in range(1200)), chunk_size=500)
    assert len(jids) == len(set(jids)) == 1200
    popped = queue.pop(1200)
    assert [job.jid for job in popped] == jids
    assert [job.data for job in popped[:3]] == ['{"n": 0}', '{"n": 1}', '{"n": 2}']


def test_every_option_of_put_is_honoured(client: Client) -> None:
    queue = client.queues["q"]
    first = queue.put(KLASS, {})
    jids = queue.put_many(
        [
            {"klass": KLASS, "data": "{}", "jid": "given", "priority": 5, "tags": ["t"],
             "retries": 2, "throttles": ["th"]},
            {"klass": KLASS, "data": {}, "delay": 60},
            {"klass": KLASS, "data": {}, "depends": [first]},
        ]
    )  # fmt: skip
    assert jids[0] == "given"
    given = client.jobs.get_job("given")
    assert (given.priority, given.tags, given.original_retries) == (5, ["t"], 2)
    assert "th" in given.throttles
    assert client.jobs.get_job(jids[1]).state == "scheduled"
    assert client.jobs.get_job(jids[2]).state == "depends"


def test_the_same_as_put_one_by_one(client: Client, redis: Redis) -> None:
    def state() -> tuple[list[str], dict[str, str]]:
        record = {str(k): str(v) for k, v in redis.hgetall("ql:j:a").items()}
        record.pop("time")  # the moment of the call
        return sorted(str(key) for key in redis.keys("*")), record

    queue = client.queues["q"]
    queue.put_many([{"klass": KLASS, "data": {"a": 1}, "jid": "a", "tags": ["x"]}])
    many = state()
    redis.flushall()
    queue.put(KLASS, {"a": 1}, jid="a", tags=["x"])
    assert state() == many


@pytest.mark.parametrize(
    ("jobs", "match"),
    [
        ([{"klass": KLASS, "data": {}}, {"klass": KLASS, "data": {}, "priority": float("inf")}],
         "job 1: priority"),
        ([{"klass": KLASS, "data": {}, "prio": 1}], r"job 0 has unknown arguments \['prio'\]"),
        ([{"klass": KLASS}], "job 0 has no klass or data"),
        ([{"klass": KLASS, "data": float("nan")}], "job 0: job data"),
        ([{"klass": KLASS, "data": {}, "tags": "t"}], "job 0: tags"),
        ([{"klass": KLASS, "data": {}, "delay": -1}], "job 0: delay"),
        ([("x", {})], "job 0 is not a mapping"),
        ([{"klass": KLASS, "data": {}}, {"klass": 3, "data": {}}], "job 1: job class"),
        ([{"klass": KLASS, "data": {}}, {"klass": [KLASS], "data": {}}], "job 1: job class"),
        ([{"klass": KLASS, "data": {}}, {"klass": KLASS, "jid": "x"}], "job 1 has no klass or da"),
        ([{"klass": KLASS, "data": {}, "priority": False}], "job 0: priority"),
        ([{"klass": KLASS, "data": {}, "retries": 5.0}], "job 0: retries"),
        ([{"klass": KLASS, "data": {}, "jid": "a", "depends": ["b", "a"]}],
         "job 0: depends names the job itself: a"),
    ],
)  # fmt: skip
def test_a_bad_job_anywhere_sends_nothing(
    client: Client, redis: Redis, jobs: list[Any], match: str
) -> None:
    before = snapshot(redis)
    with pytest.raises(ReqlessError, match=match):
        client.queues["q"].put_many(jobs, chunk_size=1)
    assert snapshot(redis) == before


@pytest.mark.parametrize("chunk_size", [0, -1, 2.5, True])
def test_chunk_size_must_be_a_positive_integer(client: Client, chunk_size: Any) -> None:
    with pytest.raises(ReqlessError, match="chunk_size"):
        client.queues["q"].put_many([{"klass": KLASS, "data": {}}], chunk_size=chunk_size)


def test_nothing_to_put(client: Client) -> None:
    assert client.queues["q"].put_many([]) == []


def test_a_left_out_option_takes_puts_default_as_put_does(client: Client) -> None:
    queue = client.queues["q"]
    queue.put(KLASS, {}, jid="a", priority=7, tags=["x"], retries=1)
    queue.put(KLASS, {}, jid="b", priority=7, tags=["x"], retries=1)
    queue.put_many([{"klass": KLASS, "data": {}, "jid": "a"}], replace=True)
    queue.put(KLASS, {}, jid="b", replace=True)
    for jid in ("a", "b"):
        job = client.jobs.get_job(jid)
        assert job is not None
        assert (job.priority, job.tags, job.original_retries) == (0, [], 5)


def test_jids_left_to_the_client_are_random_uuid4s(client: Client) -> None:
    jids = client.queues["q"].put_many([{"klass": KLASS, "data": {}}] * 300)
    assert len(set(jids)) == 300
    for jid in jids:
        parsed = uuid.UUID(hex=jid)
        assert parsed.hex == jid
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)


def test_several_classes_and_given_jids_in_one_call(client: Client) -> None:
    jids = client.queues["q"].put_many(
        [
            {"klass": KLASS, "data": {}},
            {"klass": "tests.jobs.Other", "data": {}, "jid": "mine"},
            {"klass": KLASS, "data": {}, "priority": 0, "tags": [], "retries": 5},
        ]
    )
    assert jids[1] == "mine"
    classes = [client.jobs.get_job(jid).klass_name for jid in jids]
    assert classes == [KLASS, "tests.jobs.Other", KLASS]
