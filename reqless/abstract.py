"""The type names users write in their own code.

The `Abstract*` names of the concrete classes are plain aliases (annotate a job
handler with `job: AbstractJob`); there is no abstract twin of every class. The
interfaces users implement themselves are `Protocol`s (queue resolvers and
transformers) or small abstract bases (typed job data and processors).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, Protocol, Self, TypeVar, cast, get_args, runtime_checkable

from reqless.client import Client
from reqless.collections import Jobs, Queues, Throttles, Workers
from reqless.config import Config
from reqless.job import BaseJob, Job, RecurringJob
from reqless.queue import Jobs as QueueJobs
from reqless.queue import Queue
from reqless.queue_patterns import QueuePatterns
from reqless.throttle import Throttle

__all__ = [
    "JD",
    "AbstractBaseJob",
    "AbstractClient",
    "AbstractConfig",
    "AbstractJob",
    "AbstractJobData",
    "AbstractJobProcessor",
    "AbstractJobs",
    "AbstractQueue",
    "AbstractQueueIdentifiersTransformer",
    "AbstractQueueJobs",
    "AbstractQueuePatterns",
    "AbstractQueueResolver",
    "AbstractQueues",
    "AbstractRecurringJob",
    "AbstractThrottle",
    "AbstractThrottles",
    "AbstractWorkers",
]

#: The client (`reqless.Client`).
AbstractClient = Client
#: The configuration mapping (`client.config`).
AbstractConfig = Config
#: What jobs and recurring templates share.
AbstractBaseJob = BaseJob
#: A job, as handlers receive it.
AbstractJob = Job
#: A recurring job template.
AbstractRecurringJob = RecurringJob
#: The jobs collection (`client.jobs`).
AbstractJobs = Jobs
#: A queue.
AbstractQueue = Queue
#: The per-queue job listings (`queue.jobs`).
AbstractQueueJobs = QueueJobs
#: The queues collection (`client.queues`).
AbstractQueues = Queues
#: A throttle.
AbstractThrottle = Throttle
#: The throttles collection (`client.throttles`).
AbstractThrottles = Throttles
#: The workers collection (`client.workers`).
AbstractWorkers = Workers
#: The stored queue patterns (`client.queue_patterns`).
AbstractQueuePatterns = QueuePatterns


@runtime_checkable
class AbstractQueueResolver(Protocol):
    """Anything that tells a worker which queues to poll, in order."""

    def resolve(self) -> list[str]:
        """The queue names to poll, in order."""
        ...


@runtime_checkable
class AbstractQueueIdentifiersTransformer(Protocol):
    """One step of queue resolution: identifiers in, identifiers out."""

    def transform(self, queue_identifiers: list[str]) -> list[str]:
        """The transformed identifiers."""
        ...


class AbstractJobData(ABC):
    """Typed job data that converts to and from the job's JSON text."""

    @abstractmethod
    def to_json(self) -> str:
        """This data as JSON text (what `queue.put` stores)."""

    @classmethod
    @abstractmethod
    def from_json(cls, data: str) -> Self:
        """The data read back from a job's JSON text."""


#: The data class of a job processor.
JD = TypeVar("JD", bound=AbstractJobData)


class AbstractJobProcessor(ABC, Generic[JD]):
    """A job class whose data is an `AbstractJobData` subclass `JD`.

    Subclass it as `class Send(AbstractJobProcessor[EmailData])` and implement
    `process`; `deserialize_data_json(job.data)` then gives an `EmailData`.
    """

    @staticmethod
    @abstractmethod
    def process(job: Job) -> None:
        """Handle a job (the fallback handler when no method is named after the queue)."""

    @classmethod
    def data_class(cls) -> type[JD]:
        """The data class named in this class's own generic bases.

        Only the bases the class itself declares are inspected, not those of its
        ancestors; override this to name the class explicitly. Raises RuntimeError
        when none of the type arguments is an `AbstractJobData` subclass.
        """
        for base in cls.__dict__.get("__orig_bases__", ()):
            for arg in get_args(base):
                if isinstance(arg, type) and issubclass(arg, AbstractJobData):
                    return cast(type[JD], arg)
        raise RuntimeError(f"Unable to determine data class for {cls}")

    @classmethod
    def deserialize_data_json(cls, data: str) -> JD:
        """`data` (a job's JSON text) as an instance of `data_class()`."""
        return cls.data_class().from_json(data)
