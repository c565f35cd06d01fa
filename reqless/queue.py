"""A queue, and the per-queue job listings."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, overload

from reqless import _validate, defaults
from reqless.exceptions import ReqlessError
from reqless.types import QueueCounts

if TYPE_CHECKING:
    from reqless.client import Client
    from reqless.job import Job
    from reqless.throttle import Throttle

__all__ = ["Jobs", "Queue", "class_string", "encode_data"]


def class_string(klass: type | str) -> str:
    """The dotted path a job class is stored under (strings pass through).

    Raises ReqlessError for anything but a class or a non-empty string.
    """
    return _validate.klass(klass)


def encode_data(data: Any) -> str:
    """Job data as JSON text: a string must already be JSON; anything else is encoded.

    Raises ReqlessError (and sends nothing) for text that is not JSON or a value
    that cannot be JSON-encoded.
    """
    if isinstance(data, str):
        try:
            json.loads(data, parse_constant=_reject_constant)
        except ValueError as exc:
            raise ReqlessError(f"job data is a string but not JSON text: {data!r}") from exc
        return data
    if isinstance(data, bytes | bytearray):
        try:
            return encode_data(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ReqlessError(f"job data is bytes but not UTF-8 text: {exc}") from exc
    try:
        return json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ReqlessError(f"job data is not JSON-serialisable: {exc}") from exc


def _reject_constant(name: str) -> Any:
    # json.loads accepts NaN and Infinity, which are not JSON.
    raise ValueError(f"{name} is not JSON")


#: The keyword arguments of `Queue.put`, which `put_many` items may hold.
_PUT_ARGUMENTS = frozenset(
    {"klass", "data", "priority", "tags", "delay", "retries", "jid", "depends", "throttles"}
)


def _option_list(argument: str, values: list[str] | None) -> str:
    # An absent or empty list is the common case of every put: skip the encoder.
    names = [] if values is None else _validate.names(argument, values)
    return json.dumps(names) if names else "[]"


def _or_default(value: Any, default: Any) -> Any:
    return default if value is None else value


class Jobs:
    """Job ids of one queue by state (`queue.jobs.running()` and so on)."""

    def __init__(self, name: str, client: Client) -> None:
        self._name = name
        self.client = client

    @property
    def name(self) -> str:
        """The queue's name."""
        return self._name

    def _by_state(self, state: str, offset: int, count: int) -> list[str]:
        result: list[str] = json.loads(
            self.client("queue.jobsByState", state, self._name, offset, count)
        )
        return result

    def running(self, offset: int = 0, count: int = defaults.PAGE_SIZE) -> list[str]:
        """Jobs whose lock is still valid, earliest deadline first."""
        return self._by_state("running", offset, count)

    def stalled(self, offset: int = 0, count: int = defaults.PAGE_SIZE) -> list[str]:
        """Jobs whose lock has expired, earliest deadline first."""
        return self._by_state("stalled", offset, count)

    def scheduled(self, offset: int = 0, count: int = defaults.PAGE_SIZE) -> list[str]:
        """Jobs waiting for their delay to pass."""
        return self._by_state("scheduled", offset, count)

    def depends(self, offset: int = 0, count: int = defaults.PAGE_SIZE) -> list[str]:
        """Jobs waiting for other jobs to complete."""
        return self._by_state("depends", offset, count)

    def recurring(self, offset: int = 0, count: int = defaults.PAGE_SIZE) -> list[str]:
        """Recurring templates attached to the queue."""
        return self._by_state("recurring", offset, count)

    def throttled(self, offset: int = 0, count: int = defaults.PAGE_SIZE) -> list[str]:
        """Jobs held back by a throttle."""
        return self._by_state("throttled", offset, count)


class Queue:
    """A named queue. No server call is made until a method needs one.

    A Queue compares equal to its name, so `job.queue == "underpants"` reads as
    the README intends, while `job.queue.name` (or `job.queue_name`) is the text.
    """

    def __init__(self, name: str, client: Client, worker_name: str) -> None:
        self._name = name
        self.client = client
        self.worker_name = worker_name
        self._jobs: Jobs | None = None

    @property
    def name(self) -> str:
        """The queue's name."""
        return self._name

    def __repr__(self) -> str:
        return f"<reqless.Queue {self._name!r}>"

    def __str__(self) -> str:
        return self._name

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Queue):
            return self._name == other._name
        if isinstance(other, str):
            return self._name == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._name)

    def __len__(self) -> int:
        return int(self.client("queue.length", self._name))

    @staticmethod
    def class_string(klass: type | str) -> str:
        """The dotted path a job class is stored under."""
        return class_string(klass)

    @property
    def jobs(self) -> Jobs:
        """Job ids of this queue by state."""
        if self._jobs is None:
            self._jobs = Jobs(self._name, self.client)
        return self._jobs

    def _put_args(
        self, klass: type | str, data: Any, priority: float | None, tags: list[str] | None,
        delay: float | None, retries: int | None, jid: str | None,
        depends: list[str] | None, throttles: list[str] | None,
    ) -> list[str | int | float]:  # fmt: skip
        # Every argument is checked here, so a bad one raises before anything is sent.
        return [
            self.worker_name, _validate.name("queue name", self._name),
            uuid.uuid4().hex if jid is None else _validate.name("jid", jid),
            class_string(klass), encode_data(data),
            _validate.number("delay", _or_default(delay, 0), minimum=0),
            "priority", _validate.number("priority", _or_default(priority, defaults.PRIORITY)),
            "tags", _option_list("tags", tags),
            "retries", _validate.nonnegative_int("retries", _or_default(retries, defaults.RETRIES)),
            "depends", _option_list("depends", depends),
            "throttles", _option_list("throttles", throttles),
        ]  # fmt: skip

    def put(
        self,
        klass: type | str,
        data: Any,
        priority: float | None = None,
        tags: list[str] | None = None,
        delay: float | None = None,
        retries: int | None = None,
        jid: str | None = None,
        depends: list[str] | None = None,
        throttles: list[str] | None = None,
    ) -> str:
        """Put a job into this queue and return its jid.

        Args:
            klass: the job class, or its dotted path.
            data: JSON text, or any JSON-serialisable value (encoded for you).
            priority: higher pops sooner (default 0).
            tags: tags to index the job under.
            delay: seconds before the job may be popped.
            retries: how many lost locks or retries it survives (default 5; 0 means none).
            jid: the job id; a random one by default. Putting an existing jid replaces it.
            depends: jids that must complete before this job can run.
            throttles: throttle names the job must hold a slot of to run.
        """
        args = self._put_args(klass, data, priority, tags, delay, retries, jid, depends, throttles)
        return str(self.client("queue.put", *args))

    def put_many(
        self, jobs: Iterable[Mapping[str, Any]], *, chunk_size: int = defaults.PUT_MANY_CHUNK
    ) -> list[str]:
        """Put many jobs in a few round trips; returns their jids in order.

        Each item holds `put`'s keyword arguments (`klass` and `data` required):
        `queue.put_many({"klass": GnomesJob, "data": {"n": n}} for n in range(1000))`.
        Every job is checked before anything is sent; then each chunk of
        `chunk_size` jobs is put in one atomic call, in order, so jobs of equal
        priority pop in the order given.
        """
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
            raise ReqlessError(f"chunk_size must be a positive integer, not {chunk_size!r}")
        prepared = [self._put_many_args(index, job) for index, job in enumerate(jobs)]
        jids: list[str] = []
        for start in range(0, len(prepared), chunk_size):
            args: list[str | int | float] = [self.worker_name, self._name]
            for one in prepared[start : start + chunk_size]:
                args += one
            jids += json.loads(self.client("queue.putMany", *args))
        return jids

    def _put_many_args(self, index: int, job: Mapping[str, Any]) -> list[str | int | float]:
        if not isinstance(job, Mapping):
            raise ReqlessError(f"put_many: job {index} is not a mapping of put's arguments")
        unknown = set(job) - _PUT_ARGUMENTS
        if unknown or "klass" not in job or "data" not in job:
            what = f"unknown arguments {sorted(unknown)}" if unknown else "no klass or data"
            raise ReqlessError(f"put_many: job {index} has {what}")
        options: dict[str, Any] = {name: job.get(name) for name in _PUT_ARGUMENTS}
        try:
            args = self._put_args(**options)
        except ReqlessError as exc:
            raise ReqlessError(f"put_many: job {index}: {exc}") from exc
        # queue.putMany takes jid, klass, data, delay, then the option count and pairs.
        return [*args[2:6], len(args) - 6, *args[6:]]

    def requeue(
        self,
        klass: type | str,
        data: Any,
        priority: float | None = None,
        tags: list[str] | None = None,
        delay: float | None = None,
        retries: int | None = None,
        jid: str | None = None,
        depends: list[str] | None = None,
        throttles: list[str] | None = None,
    ) -> str:
        """Like `put`, but only for a job that already exists (error otherwise)."""
        args = self._put_args(klass, data, priority, tags, delay, retries, jid, depends, throttles)
        return str(self.client("job.requeue", *args))

    def recur(
        self,
        klass: type | str,
        data: Any,
        interval: float,
        offset: float = 0,
        priority: float | None = None,
        tags: list[str] | None = None,
        retries: int | None = None,
        jid: str | None = None,
        throttles: list[str] | None = None,
        backlog: int | None = None,
    ) -> str:
        """Spawn a job now + offset and then every `interval` seconds; returns its jid.

        `backlog` caps how many missed intervals are caught up at once (0: all).
        """
        args: list[str | int | float] = [
            _validate.name("queue name", self._name),
            uuid.uuid4().hex if jid is None else _validate.name("jid", jid),
            class_string(klass), encode_data(data),
            _validate.positive("interval", interval), _validate.number("offset", offset),
            "priority", _validate.number("priority", _or_default(priority, defaults.PRIORITY)),
            "tags", _option_list("tags", tags),
            "retries", _validate.nonnegative_int("retries", _or_default(retries, defaults.RETRIES)),
            "throttles", _option_list("throttles", throttles),
        ]  # fmt: skip
        if backlog is not None:
            args += ["backlog", _validate.nonnegative_int("backlog", backlog)]
        return str(self.client("queue.recurAtInterval", *args))

    @overload
    def pop(self, count: None = None) -> Job | None: ...
    @overload
    def pop(self, count: int) -> list[Job]: ...

    def pop(self, count: int | None = None) -> Job | list[Job] | None:
        """Pop one job (or None), or a list of up to `count` jobs."""
        from reqless.job import Job

        payloads = json.loads(self.client("queue.pop", self._name, self.worker_name, count or 1))
        jobs = [Job(self.client, **payload) for payload in payloads]
        if count is None:
            return jobs[0] if jobs else None
        return jobs

    @overload
    def peek(self, offset: int | None = None, count: None = None) -> Job | None: ...
    @overload
    def peek(self, offset: int | None, count: int) -> list[Job]: ...
    @overload
    def peek(self, *, count: int) -> list[Job]: ...

    def peek(self, offset: int | None = None, count: int | None = None) -> Job | list[Job] | None:
        """Look at the next job (or None), or a list of `count` jobs, without popping."""
        from reqless.job import Job

        payloads = json.loads(self.client("queue.peek", self._name, offset or 0, count or 1))
        jobs = [Job(self.client, **payload) for payload in payloads]
        if count is None:
            return jobs[0] if jobs else None
        return jobs

    def stats(self, date: float | str | None = None) -> dict[str, Any]:
        """Wait and run statistics, and failure counters, for the day of `date`."""
        result: dict[str, Any] = json.loads(
            self.client("queue.stats", self._name, date if date is not None else repr(time.time()))
        )
        return result

    @property
    def counts(self) -> QueueCounts:
        """Job counts of this queue by state, and whether it is paused."""
        result: QueueCounts = json.loads(self.client("queue.counts", self._name))
        return result

    def pause(self) -> None:
        """Stop workers from popping this queue (put and peek still work)."""
        self.client("queue.pause", self._name)

    def unpause(self) -> None:
        """Let workers pop this queue again."""
        self.client("queue.unpause", self._name)

    @property
    def heartbeat(self) -> int:
        """Seconds a popped job's lock lasts in this queue."""
        config = self.client.config.all
        value = config.get(f"{self._name}-heartbeat", config.get("heartbeat", defaults.HEARTBEAT))
        return int(float(value))

    @heartbeat.setter
    def heartbeat(self, value: int) -> None:
        self.client.config[f"{self._name}-heartbeat"] = value

    @property
    def throttle(self) -> Throttle:
        """The queue's own throttle (`ql:q:<name>`): caps its running jobs."""
        return self.client.throttles[f"ql:q:{self._name}"]
