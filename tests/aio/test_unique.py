"""Unique jobs through both clients: put, put_many, conflicts, the operator's calls,
and bad input refused before anything is sent (docs/concepts.md, Unique jobs)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reqless.exceptions import ArgumentError, CoreError, UniqueConflictError
from tests.aio.conftest import Runner, Surface
from tests.helpers import snapshot

KLASS = "tests.aio.jobs.Noop"


async def job_object(s: Surface, jid: str) -> dict[str, Any]:
    """The job object `job.get` replies with, decoded."""
    found: dict[str, Any] = json.loads(await s(lambda c: c("job.get", jid)))
    return found


async def job_of(s: Surface, jid: str) -> Any:
    """The job `jid` (a Job or AsyncJob)."""
    return await s(lambda c: c.jobs.get_job(jid))


def test_a_second_put_with_the_key_returns_the_first_job(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        queue = s.client.queues["q"]
        first = await s(lambda c: queue.put(KLASS, {"n": 1}, unique="invoice:42"))
        again = await s(lambda c: queue.put(KLASS, {"n": 2}, unique="invoice:42"))
        assert again == first
        assert await s.length("q") == 1
        job = await job_of(s, first)
        assert (job.unique, job.unique_until, job.unique_expires) == ("invoice:42", "finish", None)
        assert await s(lambda c: c.jobs.unique_holder("invoice:42")) == first
        plain = await job_of(s, await s(lambda c: queue.put(KLASS, {})))
        assert (plain.unique, plain.unique_until, plain.unique_expires) == (None, None, None)

    both(scenario)


def test_on_conflict_error_raises_unique_conflict_error(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        queue = s.client.queues["q"]
        first = await s(lambda c: queue.put(KLASS, {}, unique="k", unique_for=60))
        before = snapshot(s.raw)
        with pytest.raises(UniqueConflictError) as info:
            await s(lambda c: queue.put(KLASS, {}, unique="k", on_conflict="error"))
        assert (info.value.jid, info.value.key) == (first, "k")
        assert isinstance(info.value, CoreError)
        assert str(info.value) == f'Put(): unique key "k" is held by job {first}'
        assert snapshot(s.raw) == before
        items = [{"klass": KLASS, "data": {}, "unique": "k", "on_conflict": "error"}]
        with pytest.raises(UniqueConflictError) as many:
            await s(lambda c: queue.put_many(items))
        assert (many.value.jid, many.value.key) == (first, "k")
        assert snapshot(s.raw) == before

    both(scenario)


def test_replace_updates_the_waiting_job_and_until_start_frees_on_start(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        queue = s.client.queues["q"]
        first = await s(lambda c: queue.put(KLASS, {"v": 1}, unique="k", unique_until="start"))
        again = await s(
            lambda c: queue.put(KLASS, {"v": 2}, priority=5, unique="k", on_conflict="replace")
        )
        assert again == first
        job = await job_of(s, first)
        assert (json.loads(job.data), job.priority, job.unique_until) == ({"v": 2}, 5, "start")
        popped = await s(lambda c: queue.pop())
        assert popped.jid == first
        assert await s(lambda c: c.jobs.unique_holder("k")) is None
        assert await s(lambda c: queue.put(KLASS, {}, unique="k")) != first

    both(scenario)


def test_put_many_items_take_the_unique_options(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        queue = s.client.queues["q"]
        items: list[dict[str, Any]] = [
            {"klass": KLASS, "data": {}, "unique": "a"},
            {"klass": KLASS, "data": {}, "unique": "a"},
            {"klass": KLASS, "data": {}, "unique": "b", "unique_for": 5},
        ]
        jids = await s(lambda c: queue.put_many(items))
        assert jids[0] == jids[1] != jids[2]
        assert (await job_of(s, jids[2])).unique == "b"

    both(scenario)


def test_free_unique_frees_the_key_and_leaves_the_job(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        queue = s.client.queues["q"]
        first = await s(lambda c: queue.put(KLASS, {}, unique="k"))
        assert await s(lambda c: c.jobs.free_unique("k")) is True
        assert await s(lambda c: c.jobs.free_unique("k")) is False
        assert (await job_of(s, first)).unique == "k"
        assert await s(lambda c: queue.put(KLASS, {}, unique="k")) != first

    both(scenario)


BAD: list[tuple[dict[str, Any], str]] = [
    ({"unique": ""}, "unique must be a non-empty string"),
    ({"unique": 42}, "unique must be a non-empty string"),
    ({"unique": "k", "on_conflict": "merge"}, "on_conflict must be one of"),
    ({"unique": "k", "unique_until": "never"}, "unique_until must be one of"),
    ({"unique": "k", "unique_for": 0}, "unique_for must be"),
    ({"unique": "k", "unique_for": float("inf")}, "unique_for must be"),
    ({"on_conflict": "error"}, "on_conflict needs a unique key"),
    ({"unique_for": 3}, "unique_for needs a unique key"),
]


@pytest.mark.parametrize(("options", "message"), BAD)
def test_bad_unique_options_are_refused_before_sending(
    both: Runner, options: dict[str, Any], message: str
) -> None:
    async def scenario(s: Surface) -> None:
        queue = s.client.queues["q"]
        before = snapshot(s.raw)
        with pytest.raises(ArgumentError, match=message):
            await s(lambda c: queue.put(KLASS, {}, **options))
        with pytest.raises(ArgumentError, match="put_many: job 0: " + message):
            await s(lambda c: queue.put_many([{"klass": KLASS, "data": {}, **options}]))
        assert snapshot(s.raw) == before

    both(scenario)


def test_a_unique_job_payload_only_adds_keys_other_clients_ignore(both: Runner) -> None:
    """The original client builds `Job(client, **payload)` from job.get's JSON and
    ignores keys it does not use: a unique job's object
    has every key, of the same type, that a plain job's has, and only the unique
    keys besides."""

    async def scenario(s: Surface) -> None:
        queue = s.client.queues["q"]
        plain = await s(lambda c: queue.put(KLASS, {}))
        unique = await s(lambda c: queue.put(KLASS, {}, unique="k", unique_for=9))
        objects = [await job_object(s, jid) for jid in (plain, unique)]
        extra = set(objects[1]) - set(objects[0])
        assert extra == {"unique", "unique_until", "unique_expires"}
        assert set(objects[0]) <= set(objects[1])
        for key in objects[0]:
            assert type(objects[0][key]) is type(objects[1][key]), key

    both(scenario)
