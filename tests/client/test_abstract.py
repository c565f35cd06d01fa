"""reqless.abstract: the type names users import, and the typed job processors."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from reqless import abstract
from reqless.abstract import AbstractJob, AbstractJobData, AbstractJobProcessor
from reqless.client import Client
from reqless.collections import Jobs, Queues, Throttles, Workers
from reqless.config import Config
from reqless.job import BaseJob, Job, RecurringJob
from reqless.queue import Jobs as QueueJobs
from reqless.queue import Queue
from reqless.queue_patterns import QueuePatterns
from reqless.queue_resolvers import (
    DynamicMappingQueueIdentifiersTransformer,
    DynamicPriorityQueueIdentifiersTransformer,
    TransformingQueueResolver,
)
from reqless.throttle import Throttle


@dataclass
class Email(AbstractJobData):
    """Job data of SendEmail."""

    address: str

    def to_json(self) -> str:
        return json.dumps({"address": self.address})

    @classmethod
    def from_json(cls, data: str) -> Email:
        return cls(**json.loads(data))


class SendEmail(AbstractJobProcessor[Email]):
    """Tags the job with the address from its typed data."""

    @classmethod
    def process(cls, job: AbstractJob) -> None:
        job.tag(cls.deserialize_data_json(job.data).address)


class Inherited(SendEmail):
    """Declares no generic base of its own."""


class Explicit(Inherited):
    """Names its data class explicitly."""

    @classmethod
    def data_class(cls) -> type[Email]:
        return Email


class Untyped(AbstractJobProcessor):  # type: ignore[type-arg]
    """Declares no type argument at all."""

    @staticmethod
    def process(job: AbstractJob) -> None:
        pass


@pytest.mark.parametrize(
    ("name", "concrete"),
    [
        ("AbstractClient", Client),
        ("AbstractConfig", Config),
        ("AbstractBaseJob", BaseJob),
        ("AbstractJob", Job),
        ("AbstractRecurringJob", RecurringJob),
        ("AbstractJobs", Jobs),
        ("AbstractQueue", Queue),
        ("AbstractQueueJobs", QueueJobs),
        ("AbstractQueues", Queues),
        ("AbstractThrottle", Throttle),
        ("AbstractThrottles", Throttles),
        ("AbstractWorkers", Workers),
        ("AbstractQueuePatterns", QueuePatterns),
    ],
)
def test_aliases_name_the_concrete_classes(name: str, concrete: type) -> None:
    assert getattr(abstract, name) is concrete
    assert name in abstract.__all__


def test_every_exported_name_exists() -> None:
    for name in abstract.__all__:
        assert getattr(abstract, name) is not None


def test_resolvers_satisfy_the_protocols(client: Client) -> None:
    assert isinstance(TransformingQueueResolver([]), abstract.AbstractQueueResolver)
    for transformer in (
        DynamicMappingQueueIdentifiersTransformer(client),
        DynamicPriorityQueueIdentifiersTransformer(client),
    ):
        assert isinstance(transformer, abstract.AbstractQueueIdentifiersTransformer)
    assert not isinstance(object(), abstract.AbstractQueueResolver)


def test_job_data_is_abstract() -> None:
    assert AbstractJobData.__abstractmethods__ == {"to_json", "from_json"}
    with pytest.raises(TypeError):
        AbstractJobData()  # type: ignore[abstract]


def test_job_processor_process_is_abstract() -> None:
    assert AbstractJobProcessor.__abstractmethods__ == {"process"}


def test_data_class_comes_from_the_generic_base() -> None:
    assert SendEmail.data_class() is Email
    email = SendEmail.deserialize_data_json('{"address": "a@example.com"}')
    assert email == Email("a@example.com")


def test_data_class_ignores_ancestors_generic_bases() -> None:
    with pytest.raises(RuntimeError, match=r"Unable to determine data class for .*Inherited"):
        Inherited.data_class()
    assert Explicit.data_class() is Email
    assert Explicit.deserialize_data_json(Email("b@example.com").to_json()).address == (
        "b@example.com"
    )


def test_data_class_without_a_type_argument() -> None:
    with pytest.raises(RuntimeError, match="Unable to determine data class"):
        Untyped.data_class()


def test_processor_runs_as_a_job_class(client: Client) -> None:
    client.queues["mail"].put(SendEmail, Email("c@example.com").to_json(), jid="jid")
    job = client.queues["mail"].pop()
    assert job is not None
    job.process()
    processed = client.jobs["jid"]
    assert processed is not None
    assert processed.tags == ["c@example.com"]
