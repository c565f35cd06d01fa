"""The retry decorator."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any

import pytest
from redis import Redis

from reqless import keys
from reqless.abstract import AbstractJob
from reqless.aio import AsyncClient
from reqless.aio.job import AsyncJob
from reqless.client import Client
from reqless.decorators import retry
from reqless.exceptions import ReqlessError
from reqless.job import Job
from reqless.server import LocalServer


class Flaky(Exception):
    """Raised by handlers that should be retried."""


class Retried:
    """A job class whose handler is retried on Flaky."""

    @staticmethod
    @retry(Flaky, KeyError)
    def process(job: AbstractJob) -> None:
        """Fail in a retriable way."""
        raise Flaky(job.jid)


def popped(client: Client, klass: type | str = "tests.Klass") -> AbstractJob:
    client.queues["q"].put(klass, "{}", jid="jid", retries=3)
    job = client.queues["q"].pop()
    assert job is not None
    return job


def current(client: Client) -> AbstractJob:
    (job,) = client.jobs.get("jid")
    return job


def test_listed_exception_retries_the_job(client: Client) -> None:
    @retry(Flaky)
    def handler(job: AbstractJob) -> str:
        raise Flaky

    job = popped(client)
    assert handler(job) is None
    again = current(client)
    assert again.state == "waiting"
    assert again.retries_left == 2


def test_subclasses_of_listed_exceptions_are_retried(client: Client) -> None:
    @retry(LookupError)
    def handler(job: AbstractJob) -> None:
        raise KeyError("x")

    handler(popped(client))
    assert current(client).state == "waiting"


def test_other_exceptions_propagate(client: Client) -> None:
    @retry(Flaky)
    def handler(job: AbstractJob) -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        handler(popped(client))
    assert current(client).state == "running"


def test_without_exceptions_nothing_is_retried(client: Client) -> None:
    @retry()
    def handler(job: AbstractJob) -> None:
        raise Flaky

    with pytest.raises(Flaky):
        handler(popped(client))


def test_success_returns_none_and_does_not_retry(client: Client) -> None:
    calls: list[str] = []

    @retry(Flaky)
    def handler(job: AbstractJob) -> str:
        calls.append(job.jid)
        return "ignored"

    assert handler(popped(client)) is None
    assert calls == ["jid"]
    assert current(client).state == "running"


def test_wrapper_keeps_name_doc_and_signature() -> None:
    def handler(job: AbstractJob) -> None:
        """Handle it."""

    wrapped = retry(Flaky)(handler)
    assert wrapped.__name__ == "handler"
    assert wrapped.__doc__ == "Handle it."
    assert inspect.signature(wrapped) == inspect.signature(handler)
    assert wrapped.__wrapped__ is handler  # type: ignore[attr-defined]


def test_stacked_under_staticmethod_in_a_job_class(client: Client) -> None:
    job = popped(client, Retried)
    job.process()
    assert current(client).state == "waiting"
    assert Retried.process.__name__ == "process"


@pytest.mark.parametrize("bad", [Flaky("x"), "Flaky", int, None])
def test_arguments_must_be_exception_classes(bad: Any) -> None:
    with pytest.raises(ReqlessError, match="exception classes"):
        retry(bad)


# -- retry policies: delays, reasons, async handlers ---------------------------

#: The delays of the first and second retry under `delay=0.2, backoff=2`.
DELAYS = [0.2, 0.4]


def _used(job: Job | AsyncJob) -> int:
    return job.original_retries - job.retries_left


@retry(ConnectionError, delay=0.2, backoff=2)
def flaky(job: Job) -> None:
    """Refuse the first two attempts, complete on the third."""
    if _used(job) < 2:
        raise ConnectionError(f"refused on attempt {_used(job) + 1}")
    job.complete()


@retry(ConnectionError, delay=0.2, backoff=2)
async def async_flaky(job: AsyncJob) -> None:
    """`flaky`, as a coroutine function."""
    await asyncio.sleep(0)
    if _used(job) < 2:
        raise ConnectionError(f"refused on attempt {_used(job) + 1}")
    await job.complete()


def _scheduled_at(redis: Redis, jid: str) -> float | None:
    return redis.zscore(keys.queue("q", "scheduled"), jid)


def _retrying(history: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["group"], e["message"], e["delay"], e["retry"], e["retries"])
            for e in history if e["what"] == "retrying"]  # fmt: skip


EXPECTED_HISTORY = [
    ("q-ConnectionError", "ConnectionError: refused on attempt 1", 0.2, 1, 5),
    ("q-ConnectionError", "ConnectionError: refused on attempt 2", 0.4, 2, 5),
]


def _pop_when_due(pop: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + 5
    while (job := pop()) is None:
        assert time.monotonic() < deadline, "the retried job never came due"
        time.sleep(0.02)
    return job


def test_a_sync_handler_is_retried_with_growing_delays_and_reasons(
    client: Client, redis: Redis
) -> None:
    queue = client.queues["q"]
    queue.put("tests.Klass", "{}", jid="jid", retries=5)
    for attempt, delay in enumerate(DELAYS, start=1):
        job = _pop_when_due(queue.pop)
        before = time.time()
        assert flaky(job) is None
        after = time.time()
        # The core scheduled it at its `now` (this client's clock) + the delay.
        at = _scheduled_at(redis, "jid")
        assert at is not None and before + delay - 1e-6 <= at <= after + delay + 1e-6
        again = current(client)
        assert (again.state, again.retries_left) == ("scheduled", 5 - attempt)
        assert again.failure["group"] == "q-ConnectionError"
    flaky(_pop_when_due(queue.pop))
    done = current(client)
    assert done.state == "complete"
    assert _retrying(done.history) == EXPECTED_HISTORY


def test_an_async_handler_is_awaited_and_retried_with_growing_delays(
    server: LocalServer, redis: Redis
) -> None:
    assert inspect.iscoroutinefunction(async_flaky)

    async def scenario() -> list[dict[str, Any]]:
        async with AsyncClient(server.url, hostname="test-worker") as aclient:
            queue = aclient.queues["q"]
            await queue.put("tests.Klass", "{}", jid="jid", retries=5)
            for attempt, delay in enumerate(DELAYS, start=1):
                job = None
                deadline = time.monotonic() + 5
                while job is None:
                    assert time.monotonic() < deadline, "the retried job never came due"
                    job = await queue.pop()
                    await asyncio.sleep(0 if job else 0.02)
                before = time.time()
                await async_flaky(job)
                after = time.time()
                at = _scheduled_at(redis, "jid")
                assert at is not None and before + delay - 1e-6 <= at <= after + delay + 1e-6
                (again,) = await aclient.jobs.get("jid")
                assert (again.state, again.retries_left) == ("scheduled", 5 - attempt)
            job = None
            while job is None:
                job = await queue.pop()
                await asyncio.sleep(0 if job else 0.02)
            await async_flaky(job)
            (done,) = await aclient.jobs.get("jid")
            assert done.state == "complete"
            return done.history

    assert _retrying(asyncio.run(scenario())) == EXPECTED_HISTORY


def test_the_last_retry_fails_the_job_with_the_reason(client: Client) -> None:
    @retry(ValueError, delay=1)
    def handler(job: Job) -> None:
        raise ValueError("bad input")

    client.queues["q"].put("tests.Klass", "{}", jid="jid", retries=0)
    job = client.queues["q"].pop()
    assert job is not None
    handler(job)
    failed = current(client)
    assert failed.state == "failed"
    assert failed.failure["group"] == "q-ValueError"
    assert failed.failure["message"] == "ValueError: bad input"
    # The core records the exhausted retry itself; no `retrying` entry is written.
    assert [e["what"] for e in failed.history][-1] == "failed-retries"
    assert _retrying(failed.history) == []


def test_max_delay_caps_and_jitter_stays_within_half_and_all(client: Client) -> None:
    @retry(KeyError, delay=1, backoff=10, max_delay=4, jitter=True)
    def handler(job: Job) -> None:
        raise KeyError("k")

    client.queues["q"].put("tests.Klass", "{}", jid="jid", retries=5)
    for _ in range(2):
        job = client.queues["q"].pop()
        assert job is not None
        handler(job)
        # Make it due at once (the delay is already recorded in the history).
        client.database.zadd(keys.queue("q", "scheduled"), {"jid": 0})
    delays = [entry[2] for entry in _retrying(current(client).history)]
    assert 0.5 <= delays[0] <= 1 and 2 <= delays[1] <= 4  # planned 1, then min(10, 4)


@pytest.mark.parametrize(
    ("keywords", "named"),
    [
        ({"delay": -1}, "delay"),
        ({"delay": float("nan")}, "delay"),
        ({"delay": "1"}, "delay"),
        ({"delay": 1, "backoff": 0}, "backoff"),
        ({"delay": 1, "backoff": 0.5}, "backoff"),
        ({"delay": 1, "max_delay": -0.1}, "max_delay"),
        ({"delay": 1, "jitter": "yes"}, "jitter"),
        ({"backoff": 2}, "backoff"),
        ({"max_delay": 5}, "max_delay"),
        ({"jitter": True}, "jitter"),
    ],
)
def test_bad_policy_arguments_raise_at_decoration_time(
    keywords: dict[str, Any], named: str
) -> None:
    with pytest.raises(ReqlessError, match=named):
        retry(ConnectionError, **keywords)


def test_a_non_exception_class_is_refused_with_a_delay_too() -> None:
    with pytest.raises(ReqlessError, match="exception classes, not 'ConnectionError'"):
        retry("ConnectionError", delay=1)  # type: ignore[arg-type]


def test_the_plain_form_awaits_an_async_handler_and_its_retry(
    server: LocalServer, redis: Redis
) -> None:
    ran: list[str] = []

    @retry(Flaky)
    async def handler(job: AsyncJob) -> None:
        ran.append(job.jid)
        raise Flaky

    async def scenario() -> AsyncJob:
        async with AsyncClient(server.url, hostname="test-worker") as aclient:
            await aclient.queues["q"].put("tests.Klass", "{}", jid="jid", retries=3)
            job = await aclient.queues["q"].pop()
            assert job is not None
            await handler(job)
            (again,) = await aclient.jobs.get("jid")
            return again

    again = asyncio.run(scenario())
    assert ran == ["jid"]
    assert (again.state, again.retries_left) == ("waiting", 2)
    # The plain form sends `job.retry()` with no arguments: no reason, no history entry.
    assert again.failure == {} and _retrying(again.history) == []
