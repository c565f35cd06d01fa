"""What a job object knows without asking the server, shared by `reqless.Job` and
`reqless.aio.AsyncJob` (and their recurring counterparts): the payload's fields,
the data's encoding, the class import."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from reqless._calls.encoding import class_string, encode_data
from reqless.importer import Importer
from reqless.models import Progress
from reqless.util import as_list

__all__ = ["BaseFields", "JobFields", "RecurringFields", "find_handler"]


class BaseFields:
    """Identity, class, data, queue, tags and throttles of a job or template."""

    jid: str
    klass_name: str
    queue_name: str
    tags: list[str]
    throttles: list[str]
    sandbox: str | None
    _data: str
    _priority: float
    _klass: Any

    def _read_base(self, payload: dict[str, Any]) -> None:
        self.jid = payload["jid"]
        self._data = payload["data"]
        self.klass_name = payload["klass"]
        self._priority = payload["priority"]
        self.queue_name = payload["queue"]
        self.tags = [str(tag) for tag in as_list(payload.get("tags"))]
        self.throttles = as_list(payload.get("throttles"))
        self.sandbox = None
        self._klass = None

    @property
    def data(self) -> str:
        """The job's data as JSON text (decode it with `json.loads`)."""
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = encode_data(value)

    @property
    def priority(self) -> float:
        """Higher pops sooner."""
        return self._priority

    @property
    def klass(self) -> Any:
        """The job class, imported on first use (re-imported when its file changed)."""
        if self._klass is None:
            self._klass = Importer.import_class(self.klass_name)
        return self._klass


class JobFields(BaseFields):
    """A job's state as the server last reported it."""

    state: str
    worker_name: str
    expires_at: float
    original_retries: int
    retries_left: int
    failure: dict[str, Any]
    tracked: bool
    settled: bool
    spawned_from_jid: str | None
    #: The job's fair group in its queue (docs/concepts.md, Fair groups), or None.
    group: str | None
    #: The unique key the job was put with (docs/concepts.md, Unique jobs), or None.
    unique: str | None
    #: When its key is freed: "finish" or "start" (None without a key).
    unique_until: str | None
    #: When its key is freed at the latest (`unique_for`), seconds since the epoch, or None.
    unique_expires: float | None
    #: The last progress its worker reported (docs/progress.md), or None.
    progress_info: Progress | None
    #: What the job returned (any JSON value; docs/results.md), or None when it
    #: completed without one or has not completed.
    result: Any
    #: The id of the batch the job belongs to (docs/batches.md), or None.
    batch: str | None
    #: The trace context it was put with (text), or None.
    trace: str | None
    _history: list[dict[str, Any]] | None
    _dependencies: list[str] | None
    _dependents: list[str] | None

    def _read_job(self, payload: dict[str, Any]) -> None:
        self._read_base(payload)
        self.state = payload["state"]
        self.worker_name = payload["worker"]
        self.expires_at = float(payload["expires"])
        self.original_retries = payload["retries"]
        self.retries_left = payload["remaining"]
        # A worker's pop leaves these out (they cost the server three reads per
        # job); they are fetched on first use.
        self._history = self._dependencies = self._dependents = None
        if "history" in payload:
            self._read_details(payload)
        failure = payload.get("failure")
        self.failure = failure if isinstance(failure, dict) else {}
        self.tracked = bool(payload["tracked"])
        #: True once this object completed, failed, retried, moved, cancelled or
        #: timed out the job (or found it was no longer its worker's); the worker
        #: then knows, without asking the server, that the handler settled it.
        self.settled = False
        spawned = payload.get("spawned_from_jid")
        self.spawned_from_jid = spawned if isinstance(spawned, str) else None
        group = payload.get("group")
        self.group = group if isinstance(group, str) else None
        progress = payload.get("progress")
        self.progress_info = Progress.from_payload(progress) if isinstance(progress, dict) else None
        self.result = payload.get("result")
        batch, trace = payload.get("batch"), payload.get("trace")
        self.batch = batch if isinstance(batch, str) else None
        self.trace = trace if isinstance(trace, str) else None
        if "unique" in payload or "unique_expires" in payload:
            self._read_unique(payload)
        else:  # most jobs: the core leaves the three fields out of their payload
            self.unique = self.unique_until = self.unique_expires = None

    def _read_unique(self, payload: dict[str, Any]) -> None:
        unique = payload.get("unique")
        self.unique = unique if isinstance(unique, str) else None
        self.unique_until = payload.get("unique_until") if self.unique else None
        expires = payload.get("unique_expires")
        self.unique_expires = float(expires) if isinstance(expires, int | float) else None

    def _read_details(self, payload: dict[str, Any]) -> None:
        self._history = as_list(payload.get("history"))
        self._dependencies = as_list(payload.get("dependencies"))
        self._dependents = as_list(payload.get("dependents"))

    def __repr__(self) -> str:
        return f"<{self.klass_name} {self.jid} queue={self.queue_name!r} state={self.state!r}>"

    def _set_klass(self, value: type) -> None:
        self._klass = value
        self.klass_name = class_string(value)

    @property
    def ttl(self) -> float:
        """Seconds until the lock expires (negative once it has)."""
        return self.expires_at - time.time()


class RecurringFields(BaseFields):
    """A recurring template's schedule as the server last reported it."""

    count: int
    backlog: float
    _retries: int
    _interval: float

    #: The cron expression (None: an interval template) and its schedule's
    #: settings (docs/cron.md); `slot` is the next fire time (Unix seconds).
    cron: str | None
    timezone: str
    overlap: str
    catchup: str
    jitter: float
    slot: float | None
    #: Paused: listed, spawning nothing until resumed.
    paused: bool
    #: Times left out by overlap "skip"; a time held back by "queue_one" (or None).
    skipped: int
    pending: float | None
    last_child: str | None
    #: The unique key each spawned job is put with (None: none).
    unique: str | None

    def _read_recurring(self, payload: dict[str, Any]) -> None:
        self._read_base(payload)
        self._retries = payload["retries"]
        self._interval = payload["interval"]
        self.count = payload["count"]
        self.backlog = payload.get("backlog", 0)
        self.cron = payload.get("cron")
        self.timezone = payload.get("timezone", "UTC")
        self.overlap = payload.get("overlap", "allow")
        self.catchup = payload.get("catchup", "latest")
        self.jitter = payload.get("jitter", 0)
        self.slot = payload.get("slot")
        self.paused = bool(payload.get("paused", False))
        self.skipped = payload.get("skipped", 0)
        self.pending = payload.get("pending")
        self.last_child = payload.get("last_child")
        self.unique = payload.get("unique")

    def __repr__(self) -> str:
        every = f"cron={self.cron!r}" if self.cron else f"every={self._interval}s"
        return f"<{self.klass_name} {self.jid} queue={self.queue_name!r} {every}>"

    @property
    def retries(self) -> int:
        """Retry budget of the jobs it spawns."""
        return self._retries

    @property
    def interval(self) -> float:
        """Seconds between spawns."""
        return self._interval


def find_handler(job: BaseFields) -> tuple[Callable[..., Any] | None, Exception | None]:
    """The job's handler (the class attribute named after its queue, else `process`).

    Returns `(handler, None)`, `(None, None)` when the class has neither, or
    `(None, error)` when the class could not be imported.
    """
    try:
        klass = job.klass
        handler = getattr(klass, job.queue_name, None) or getattr(klass, "process", None)
    except Exception as exc:
        return None, exc
    return handler, None
