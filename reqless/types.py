"""TypedDicts for the JSON documents the core returns."""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = [
    "Arg",
    "BatchCallback",
    "BatchPayload",
    "FailedJobsPayload",
    "FailurePayload",
    "HistoryEntry",
    "JobPayload",
    "JobWaitPayload",
    "ProgressPayload",
    "QueueCounts",
    "RecurringJobPayload",
    "TaggedPayload",
    "WorkerCounts",
    "WorkerJobs",
]

HistoryEntry = dict[str, Any]

#: One argument of a core command, as the clients send it.
Arg = str | int | float


class FailurePayload(TypedDict, total=False):
    """Why a job failed (empty for jobs that never failed)."""

    group: str
    message: str
    when: float
    worker: str


class JobPayload(TypedDict):
    """A job as `job.get`, `queue.pop` and `queue.peek` return it."""

    jid: str
    klass: str
    state: str
    queue: str
    worker: str
    tracked: bool
    priority: float
    expires: float
    retries: int
    remaining: int
    data: str
    tags: list[str] | dict[str, Any]
    history: list[HistoryEntry]
    failure: FailurePayload | dict[str, Any]
    throttles: list[str] | dict[str, Any]
    spawned_from_jid: str | bool
    dependents: list[str] | dict[str, Any]
    dependencies: list[str] | dict[str, Any]


class RecurringJobPayload(TypedDict):
    """A recurring template as `recurringJob.get` returns it."""

    jid: str
    klass: str
    state: str
    queue: str
    priority: float
    interval: float
    retries: int
    count: int
    data: str
    tags: list[str] | dict[str, Any]
    backlog: float
    throttles: list[str] | dict[str, Any]


class QueueCounts(TypedDict):
    """Job counts of one queue."""

    name: str
    waiting: int
    stalled: int
    running: int
    throttled: int
    scheduled: int
    depends: int
    recurring: int
    paused: bool


class TaggedPayload(TypedDict):
    """Reply of `jobs.tagged`: `jobs` is `{}` rather than `[]` when empty."""

    total: int
    jobs: list[str] | dict[str, Any]


class FailedJobsPayload(TypedDict):
    """Reply of `jobs.failedByGroup`."""

    total: int
    jobs: list[Any]


class WorkerCounts(TypedDict):
    """One worker in `workers.counts`."""

    name: str
    jobs: int
    stalled: int


class WorkerJobs(TypedDict):
    """Reply of `worker.jobs`, with `{}` normalised to `[]`."""

    jobs: list[str]
    stalled: list[str]


class ProgressPayload(TypedDict):
    """A running job's progress (`progress` in the job object), as `job.progress` stores it."""

    fraction: float
    message: str
    #: When it was reported (epoch seconds).
    at: float


class JobWaitPayload(TypedDict):
    """Reply of `job.wait`: the job's state, and the key to BLPOP when it is not finished."""

    state: str
    #: The key that receives the final state, or None when the job has finished already.
    wake: str | None


class _BatchCallbackBase(TypedDict):
    klass: str
    queue: str
    data: dict[str, Any]


class BatchCallback(_BatchCallbackBase, total=False):
    """A job a batch puts when it finishes (`on_success`, `on_complete`)."""

    priority: float


class BatchPayload(TypedDict):
    """A batch as `batch.get`, `batch.close` and `batch.list` return it."""

    id: str
    #: open, closed or finished.
    state: str
    total: int
    pending: int
    complete: int
    failed: int
    canceled: int
    created: float
    #: When its callbacks were put, or None while it is not finished.
    finished: float | None
    on_success: BatchCallback | None
    on_complete: BatchCallback | None
