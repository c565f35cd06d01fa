"""`put_many` through both clients: order, chunks, and all-or-nothing checks."""

from __future__ import annotations

from typing import Any

import pytest

from reqless.exceptions import ReqlessError
from tests.aio.conftest import Runner, Surface
from tests.helpers import snapshot

KLASS = "tests.aio.jobs.Noop"


def test_jids_come_back_in_order_and_jobs_pop_in_order(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        items = [{"klass": KLASS, "data": {"n": n}} for n in range(7)]
        jids = await s(lambda c: c.queues["q"].put_many(items, chunk_size=3))
        assert len(jids) == 7 and len(set(jids)) == 7
        popped = await s(lambda c: c.queues["q"].pop(10))
        assert [job.jid for job in popped] == jids

    both(scenario)


def test_every_option_is_honoured(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        item = {"klass": KLASS, "data": {}, "priority": 3, "tags": ["t"], "retries": 2,
                "jid": "given", "throttles": ["th"]}  # fmt: skip
        assert await s(lambda c: c.queues["q"].put_many([item])) == ["given"]
        job = (await s.job("given"))[0]
        assert (job.priority, job.tags, job.original_retries) == (3, ["t"], 2)
        assert "th" in job.throttles

    both(scenario)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"klass": KLASS}, "job 1 has no klass or data"),
        ({"klass": KLASS, "data": {}, "colour": "red"}, "job 1 has unknown arguments"),
        ({"klass": KLASS, "data": {}, "delay": -1}, "job 1: delay must be"),
        ("not a mapping", "job 1 is not a mapping"),
    ],
)
def test_a_bad_job_anywhere_sends_nothing(both: Runner, bad: Any, message: str) -> None:
    async def scenario(s: Surface) -> None:
        before = snapshot(s.raw)
        items = [{"klass": KLASS, "data": {}}, bad, {"klass": KLASS, "data": {}}]
        with pytest.raises(ReqlessError, match=message):
            await s(lambda c: c.queues["q"].put_many(items, chunk_size=1))
        assert snapshot(s.raw) == before

    both(scenario)


@pytest.mark.parametrize("chunk_size", [0, -1, 1.5, True])
def test_chunk_size_must_be_a_positive_integer(both: Runner, chunk_size: Any) -> None:
    async def scenario(s: Surface) -> None:
        with pytest.raises(ReqlessError, match="chunk_size must be a positive integer"):
            await s(lambda c: c.queues["q"].put_many([], chunk_size=chunk_size))

    both(scenario)


def test_nothing_to_put(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        assert await s(lambda c: c.queues["q"].put_many([])) == []

    both(scenario)
