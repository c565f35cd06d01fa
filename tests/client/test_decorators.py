"""The retry decorator."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from reqless.abstract import AbstractJob
from reqless.client import Client
from reqless.decorators import retry
from reqless.exceptions import ReqlessError


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
